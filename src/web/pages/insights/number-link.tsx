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
  if (!href) return className ? <span class={className}>{children}</span> : <>{children}</>;
  return (
    <a href={href(number)} title={title} class={className}>
      {children}
    </a>
  );
}
