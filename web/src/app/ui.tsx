// Small shared pieces: loading and error states, page headings that take focus on navigation.
import { Alert, Button, Loader, Title } from "@mantine/core";
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function Loading() {
  const { t } = useTranslation();
  return <Loader aria-label={t("app.loading")} role="status" />;
}

export function Failure({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" role="alert" title={t("app.error", { message })}>
      {retry && (
        <Button variant="outline" color="red" onClick={retry}>
          {t("app.retry")}
        </Button>
      )}
    </Alert>
  );
}

/** The page's h1; focused when the page opens so keyboard and screen-reader users start there. */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <Title order={1} size="h2" ref={ref} tabIndex={-1} mb="md" style={{ outline: "none" }}>
      {children}
    </Title>
  );
}

export function Query<T>({ q, children }: { q: { data?: T; error: unknown; isPending: boolean; refetch: () => unknown }; children: (data: T) => ReactNode }) {
  if (q.isPending) return <Loading />;
  if (q.error) return <Failure error={q.error} retry={() => void q.refetch()} />;
  return <>{children(q.data as T)}</>;
}
