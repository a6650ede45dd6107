// The URL parameters of a keyset-paged admin list (read by lib/paging.server, written by
// components/list-pager): `before=<id>` for the next, older page, `after=<id>` for the previous,
// newer one; a page with several lists gives each its prefix (`heldBefore`, `recentAfter`).
export const cursorParams = (prefix = "") => (prefix ? { before: `${prefix}Before`, after: `${prefix}After` } : { before: "before", after: "after" });
