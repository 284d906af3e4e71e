import { Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { AdminKeyGuard } from '../admin/admin-key.guard';
import { useTenantLabels } from '../common/metric-labels';
import { EnvironmentVariables } from '../config/environment-variables';
import { TenancyModule } from '../tenancy/tenancy.module';
import { MetricsController } from './metrics/metrics.controller';
import { InFlightRequests } from './shutdown/in-flight-requests';

/** What running the app as a service needs: the graceful drain and the Prometheus metrics. */
@Module({
  imports: [TenancyModule],
  controllers: [MetricsController],
  providers: [InFlightRequests, AdminKeyGuard],
  exports: [InFlightRequests],
})
export class OpsModule {
  constructor(config: EnvironmentVariables) {
    useTenantLabels(config.METRICS_TENANT_LABELS);
    // Process metrics (CPU, memory, event loop lag, GC, handles), once per process.
    if (config.METRICS_ENABLED && !register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
  }
}
