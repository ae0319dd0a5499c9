import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en";
import { fr } from "./fr";

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
const KEY = "lang";

/** The viewer's choice (kept: it is not a secret), else the browser's language. */
export function initialLanguage(): Language {
  const saved = window.localStorage.getItem(KEY);
  if (saved === "en" || saved === "fr") return saved;
  return navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function setLanguage(lang: Language): void {
  window.localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

export function initI18n(lang: Language) {
  document.documentElement.lang = lang;
  return i18n.use(initReactI18next).init({
    resources: { en: { translation: en }, fr: { translation: fr } },
    lng: lang,
    fallbackLng: "en",
    interpolation: { escapeValue: false },
  });
}

export default i18n;
