import { METHODS } from 'node:http';
import type { Request } from 'express';

interface RouteLayer {
  match(path: string): unknown;
  route?: { methods: Record<string, boolean>; _methods(): string[] };
}

/**
 * The methods each path answers, read from the routes Nest registered on the Express router (not a list kept by
 * hand), to turn a 404 for a method a route lacks into a 405 with `Allow`. Read once, at the first such 404 (all
 * routes exist by then), and only on that path: a request that finds its route never pays for it.
 */
export class RouteMethods {
  private layers?: RouteLayer[];

  /** @param router the app's Express router (its `stack` of layers) */
  constructor(private readonly router: () => { stack: readonly object[] }) {}

  /** The methods of the routes matching the request's path, when its own method is not among them; else null. */
  allowedOtherwise(request: Request): string[] | null {
    this.layers ??= (this.router().stack as RouteLayer[]).filter((layer) => layer.route && !answersEveryMethod(layer.route));
    const methods = new Set<string>();
    for (const layer of this.layers) {
      if (layer.match(request.path)) for (const method of layer.route!._methods()) methods.add(method);
    }
    if (methods.size === 0 || methods.has(request.method.toUpperCase())) return null;
    return [...methods].sort();
  }
}

/** Middleware bound to routes (e.g. the request logger on `{/*splat}`) registers every method: it is no endpoint. */
function answersEveryMethod(route: { methods: Record<string, boolean> }): boolean {
  return route.methods._all === true || METHODS.every((method) => route.methods[method.toLowerCase()]);
}
