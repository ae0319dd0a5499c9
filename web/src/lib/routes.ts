// Which screen a URL opens first, so its code is fetched while the session is restored
// (each screen is a lazy chunk: without this, its download would wait for the sign-in).

export type FirstScreen = "home" | "programs" | null;

export function firstScreen(pathname: string): FirstScreen {
  if (/^\/p\/[^/]+\/?$/.test(pathname)) return "home";
  if (pathname === "/" || pathname === "") return "programs";
  return null;
}
