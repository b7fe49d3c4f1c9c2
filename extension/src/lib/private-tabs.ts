// Which requests come from private windows. Firefox says so on each request (`incognito`); Chromium
// does not, so its build goes by the tab: tabs are noted as they are created, updated and found by the
// start-up scan, a tab not seen yet is looked up, and no request is judged before that scan has run.
// A request with no tab (tabId -1: a page's service worker) cannot be placed: while the extension may
// run in private windows, it is taken as private (left out unless private windows are reported).

/** What a request says about where it came from. */
export interface RequestOrigin {
  tabId: number;
  /** Firefox only. */
  incognito?: boolean | undefined;
}

export interface PrivateTabsDeps {
  /** The tab with this id (rejects when there is none). */
  getTab(tabId: number): Promise<{ incognito: boolean }>;
}

export class PrivateTabs {
  private readonly known = new Map<number, boolean>();
  /** Whether the user let the extension into private windows; null until known (then: assume yes). */
  private incognitoAllowed: boolean | null = null;
  private markReady: () => void = () => undefined;
  /** Resolves once the start-up scan has noted every open tab. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private readonly deps: PrivateTabsDeps) {}

  /** Notes a tab (created, updated, or found at start). */
  note(tab: { id?: number | undefined; incognito: boolean }): void {
    if (tab.id !== undefined) this.known.set(tab.id, tab.incognito);
  }

  forget(tabId: number): void {
    this.known.delete(tabId);
  }

  /** The start-up scan is done: `allowed` is whether private windows are open to the extension. */
  started(allowed: boolean | null): void {
    this.incognitoAllowed = allowed;
    this.markReady();
  }

  /** Whether a request came (or may have come) from a private window. */
  async isPrivate(request: RequestOrigin): Promise<boolean> {
    if (typeof request.incognito === 'boolean') return request.incognito;
    await this.ready;
    const maybePrivate = this.incognitoAllowed !== false;
    if (request.tabId < 0) return maybePrivate;
    const known = this.known.get(request.tabId);
    if (known !== undefined) return known;
    try {
      const tab = await this.deps.getTab(request.tabId);
      this.known.set(request.tabId, tab.incognito);
      return tab.incognito;
    } catch {
      // Closed already: it cannot be placed.
      return maybePrivate;
    }
  }
}
