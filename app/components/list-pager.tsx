// Newer / older buttons under a keyset-paged admin list (see lib/paging.server). Each list moves
// only its own cursor in the URL; the page's other parameters (locale, the selected import, the
// other lists' cursors) stay.
import { useNavigate, useSearchParams } from "@remix-run/react";
import { InlineStack, Pagination } from "@shopify/polaris";
import { cursorParams } from "~/lib/paging";

export function ListPager({ page, prefix = "", labels }: { page: { next: number | null; prev: number | null }; prefix?: string; labels: { previous: string; next: string } }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  if (page.next === null && page.prev === null) return null;
  const names = cursorParams(prefix);
  const go = (name: string, id: number) => {
    const p = new URLSearchParams(params);
    p.delete(names.before);
    p.delete(names.after);
    p.set(name, String(id));
    navigate(`?${p}`, { preventScrollReset: true });
  };
  return (
    <InlineStack align="center">
      <Pagination
        hasPrevious={page.prev !== null}
        onPrevious={() => page.prev !== null && go(names.after, page.prev)}
        hasNext={page.next !== null}
        onNext={() => page.next !== null && go(names.before, page.next)}
        accessibilityLabels={labels}
      />
    </InlineStack>
  );
}
