/* factsheet: the search box in the header of every page, over the Pagefind index that
   `factsheet build` writes to pagefind/ beside this file. A large site's index comes in
   parts: pagefind/parts.json lists the further ones, merged into the first when it loads.

   Progressive enhancement: the box is `hidden` in the HTML and shown only here, so without
   JavaScript the site reads as before, just without search. Pages opened from disk
   (file://) keep it hidden too: browsers refuse to load the index there (Pagefind imports a
   module and fetches its files, which file:// pages may not). Results are built as DOM
   nodes; the only markup taken from the index is Pagefind's <mark> in the excerpts. */
(() => {
  "use strict";
  const script = document.currentScript;
  const box = document.querySelector("[data-search]");
  if (!box || !script || location.protocol === "file:") return;

  const BUNDLE = new URL("pagefind/pagefind.js", script.src).href;
  const PARTS = new URL("pagefind/parts.json", script.src).href;
  const OPTIONS = { excerptLength: 24 };
  const MAX_PAGES = 10;
  const MAX_SECTIONS = 3;
  const DELAY_MS = 150;

  const form = box.querySelector("form");
  const input = box.querySelector("input[type=search]");
  const panel = box.querySelector("[data-search-results]");
  const status = box.querySelector("[data-search-status]");
  const list = box.querySelector("[data-search-list]");
  const announce = box.querySelector("[data-search-announce]");
  if (!form || !input || !panel || !status || !list || !announce) return;

  let pagefind = null; // the promise of the loaded library, made on first use
  let latest = 0; // the number of the last search asked for; older answers are dropped
  let timer = 0;

  const load = () => {
    pagefind ??= import(BUNDLE).then(async (library) => {
      await library.options(OPTIONS);
      await library.init();
      for (const part of await parts()) {
        // A path, as Pagefind's own base path is: it finds the site's root in it.
        await library.mergeIndex(new URL(part, BUNDLE).pathname, OPTIONS);
      }
      return library;
    });
    return pagefind;
  };

  /* The directories of the index's further parts (relative to pagefind/). Without the list
     (a site's own index in static/pagefind/, say), the index is one part. */
  const parts = async () => {
    const response = await fetch(PARTS).catch(() => null);
    if (!response || !response.ok) return [];
    const list = await response.json().catch(() => []);
    return Array.isArray(list) ? list.filter((part) => typeof part === "string") : [];
  };

  const node = (tag, className, text) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  };

  /* An excerpt as text and <mark> nodes. Pagefind escapes the page text in it; parsing it
     in an inert <template> and keeping text only is a second guard. */
  const excerpt = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html || "";
    return [...template.content.childNodes].map((child) =>
      child.nodeName === "MARK"
        ? node("mark", "", child.textContent)
        : document.createTextNode(child.textContent)
    );
  };

  const link = (url, text) => {
    const a = node("a", "", text);
    a.href = url;
    return a;
  };

  const result = (data) => {
    const item = node("li", "search-result");
    const title = node("p", "search-result-title");
    if (data.meta.kind) title.append(node("span", "search-kind", data.meta.kind), " ");
    title.append(link(data.url, data.meta.title || data.url));
    const text = node("p", "search-excerpt");
    text.append(...excerpt(data.excerpt));
    item.append(title, text);
    // Sections of the page (a claim, on a topic page) that match, each with its anchor;
    // not one that only repeats the page's excerpt (a source's "Full text").
    const sections = (data.sub_results || [])
      .filter((sub) => sub.url.includes("#") && sub.excerpt !== data.excerpt)
      .slice(0, MAX_SECTIONS);
    if (sections.length) {
      const subs = node("ul", "search-sections");
      for (const sub of sections) {
        const li = node("li");
        const line = node("span", "search-excerpt");
        line.append(...excerpt(sub.excerpt));
        li.append(link(sub.url, sub.title), " ", line);
        subs.append(li);
      }
      item.append(subs);
    }
    return item;
  };

  const say = (text) => {
    status.textContent = text;
    announce.textContent = text;
  };

  const open = (shown) => {
    panel.hidden = !shown;
  };

  const counted = (count, query) =>
    count === 0
      ? `No results for “${query}”.`
      : `${count} page${count === 1 ? "" : "s"} found for “${query}”` +
        (count > MAX_PAGES ? `; the first ${MAX_PAGES} are shown.` : ".");

  const search = async (query) => {
    const ticket = ++latest;
    if (!query) {
      list.replaceChildren();
      say("");
      open(false);
      return;
    }
    let library;
    try {
      library = await load();
    } catch (error) {
      if (ticket !== latest) return;
      list.replaceChildren();
      say("Search is unavailable: its index did not load. (The preview of factsheet serve " +
        "has no index; the site that factsheet build writes has one.)");
      open(true);
      return;
    }
    const found = await library.search(query);
    if (ticket !== latest || !found) return;
    const pages = await Promise.all(found.results.slice(0, MAX_PAGES).map((r) => r.data()));
    if (ticket !== latest) return;
    list.replaceChildren(...pages.map(result));
    say(counted(found.results.length, query));
    open(true);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value.trim()), DELAY_MS);
  });
  input.addEventListener("focus", () => {
    load().catch(() => {}); // start loading while the reader types
    if (input.value.trim() && list.childElementCount) open(true);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    search(input.value.trim());
  });
  box.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || panel.hidden) return;
    event.preventDefault();
    open(false);
    input.focus();
  });
  // The results close when the reader moves on elsewhere in the page.
  document.addEventListener("pointerdown", (event) => {
    if (!box.contains(event.target)) open(false);
  });
  document.addEventListener("focusin", (event) => {
    if (!box.contains(event.target)) open(false);
  });

  box.hidden = false;
})();
