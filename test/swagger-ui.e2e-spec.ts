import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

/** Debian's `chromium` package; .ci/run installs it when missing. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'swagger-ui');
const installed = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

if (!installed) {
  const what = `Chromium is not installed at ${CHROMIUM} (Debian package \`chromium\`; .ci/run installs it)`;
  if (inCi) {
    it('needs Chromium in CI', () => {
      throw new Error(`${what}: the Swagger UI browser test cannot run`);
    });
  } else {
    console.warn(`${what}: skipping the Swagger UI browser test`);
  }
}

(installed ? describe : describe.skip)('Swagger UI in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  let tenantKey: string;
  const external: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    ({ apiKey: tenantKey } = await t.createTenant());
    for (const name of ['ui-seeded-alpha', 'ui-seeded-beta']) {
      await t.http().post('/targets').set('X-API-Key', tenantKey).send({ name, address: `https://${name}.internal` }).expect(201);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), 'tenantry-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 1600 },
    });
    // The page is served by the app; anything else it asks for would be a call out of the machine.
    await context.route('**/*', (route) =>
      route.request().url().startsWith(base) ? route.continue() : (external.push(route.request().url()), route.abort()),
    );
    page = context.pages()[0] ?? (await context.newPage());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.close();
  });

  async function authorize(scheme: string, key: string): Promise<void> {
    await page.locator('.auth-wrapper .btn.authorize').click();
    const container = page.locator('.auth-container', { hasText: scheme });
    await container.locator('input').fill(key);
    await container.locator('button.authorize').click();
    await container.locator('button.btn-done').click();
  }

  async function execute(path: string, shot: string): Promise<Locator> {
    const operation = page.locator('.opblock.opblock-get', { has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('.btn.execute').click();
    const response = operation.locator('.live-responses-table .response').first();
    await response.locator('.response-col_status').waitFor();
    await operation.screenshot({ path: join(ARTIFACTS, shot) });
    return response;
  }

  it('runs GET /targets with a tenant key and shows the seeded targets, then GET /tenants with the admin key', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.swagger-ui .information-container .title').waitFor();
    expect(await page.locator('.swagger-ui .information-container .title').innerText()).toContain('Tenantry API');
    await page.screenshot({ path: join(ARTIFACTS, '1-docs.png') });

    await authorize('tenantApiKey', tenantKey);
    const targets = await execute('/targets', '2-get-targets.png');
    expect((await targets.locator('.response-col_status').innerText()).trim()).toBe('200');
    const targetsBody = await targets.locator('.response-col_description').innerText();
    expect(targetsBody).toContain('ui-seeded-alpha');
    expect(targetsBody).toContain('ui-seeded-beta');

    await authorize('adminApiKey', TEST_ADMIN_KEY);
    const tenants = await execute('/tenants', '3-get-tenants.png');
    expect((await tenants.locator('.response-col_status').innerText()).trim()).toBe('200');
    expect(await tenants.locator('.response-col_description').innerText()).toContain('"items"');
    expect(external).toEqual([]);
  }, 120_000);
});
