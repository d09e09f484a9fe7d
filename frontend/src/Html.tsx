// The one place that inserts HTML into the page. Only fields the protocol names `*_html` come
// here: the server rendered them from markdown and sanitized them with an allow-list (nh3). Every
// other string is rendered as text by React. A test checks no other file sets innerHTML.
import { createElement, memo } from "react";

interface HtmlProps {
  html: string | null | undefined;
  as?: "div" | "span" | "label" | "summary" | "h1" | "h2" | "h3";
  className?: string;
  testId?: string;
  htmlFor?: string;
}

export const Html = memo(function Html({ html, as = "div", className, testId, htmlFor }: HtmlProps) {
  if (html === null || html === undefined || html === "") return null;
  return createElement(as, {
    className,
    "data-testid": testId,
    htmlFor,
    dangerouslySetInnerHTML: { __html: html },
  });
});

/** Inline label HTML: the server renders labels as markdown and may wrap them in one <p>. */
export function unwrapParagraph(html: string): string {
  const match = /^<p>([\s\S]*)<\/p>\s*$/.exec(html);
  return match && !match[1]!.includes("<p>") ? match[1]! : html;
}
