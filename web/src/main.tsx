import "@mantine/core/styles.css";
import "./index.css";
import { MantineProvider, createTheme } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./app/App";
import { AuthProvider, restoreSession } from "./auth/AuthProvider";
import { createUserManager, loadConfig } from "./auth/oidc";
import { initI18n, initialLanguage } from "./i18n";
import { ApiError } from "./api/client";

// Darker primary shades than Mantine's defaults, for WCAG AA contrast on white.
const theme = createTheme({ primaryColor: "indigo", primaryShade: 8, defaultRadius: "md" });

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

async function start() {
  const lang = initialLanguage();
  const [config] = await Promise.all([loadConfig(), initI18n(lang)]);
  const manager = createUserManager(config);
  const user = await restoreSession(manager);
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <QueryClientProvider client={queries}>
          <AuthProvider manager={manager} lang={lang} initialUser={user}>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </AuthProvider>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}

void start();
