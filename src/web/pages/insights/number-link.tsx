/** A number linked to the persons behind it, or the bare number where the page has no such link (dashboards). */
import type { Child } from 'hono/jsx';
import type { ActorsHref, NumberParams } from './actors-link';

export function NumberLink({
  href,
  number,
  title = 'The persons behind this number',
  class: className,
  children,
}: {
  href?: ActorsHref;
  number: NumberParams;
  title?: string;
  class?: string;
  children?: Child;
}) {
  // A span either way, so the number keeps its place in the layout (the funnel bar styles `.label`).
  if (!href) return <span class={className}>{children}</span>;
  return (
    <a href={href(number)} title={title} class={className}>
      {children}
    </a>
  );
}
