import { Anchor, AppShell, Burger, Button, Group, NavLink, NativeSelect, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { lazy, Suspense, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useLocation, useMatch } from "react-router";
import { useTokenSource } from "../api/client";
import { useAuth } from "../auth/AuthProvider";
import { setLanguage, type Language } from "../i18n";
import { firstScreen } from "../lib/routes";
import { useIsProgramAdmin } from "./hooks";
import { Loading, PageTitle } from "./ui";

// Every screen is its own chunk, loaded with its route: the first screen (the member home,
// usually) fetches only its own code, and the charts only load with the health dashboard.
const loadHome = () => import("../screens/member/Home").then((m) => ({ default: m.Home }));
const loadPrograms = () => import("../screens/member/Programs").then((m) => ({ default: m.Programs }));
const Home = lazy(loadHome);
const Join = lazy(() => import("../screens/member/Join").then((m) => ({ default: m.Join })));
const MentorPage = lazy(() => import("../screens/member/MentorPage").then((m) => ({ default: m.MentorPage })));
const MentorSearch = lazy(() => import("../screens/member/MentorSearch").then((m) => ({ default: m.MentorSearch })));
const ProfileEditor = lazy(() => import("../screens/member/ProfileEditor").then((m) => ({ default: m.ProfileEditor })));
const Programs = lazy(loadPrograms);
const Requests = lazy(() => import("../screens/member/Requests").then((m) => ({ default: m.Requests })));
const GoalsAndCheckIns = lazy(() => import("../screens/member/Goals").then((m) => ({ default: m.GoalsAndCheckIns })));
const Health = lazy(() => import("../screens/admin/Health").then((m) => ({ default: m.Health })));
const Applications = lazy(() => import("../screens/admin/Applications").then((m) => ({ default: m.Applications })));
const Members = lazy(() => import("../screens/admin/Members").then((m) => ({ default: m.Members })));
const ProgramSettings = lazy(() => import("../screens/admin/ProgramSettings").then((m) => ({ default: m.ProgramSettings })));
const Rounds = lazy(() => import("../screens/admin/Rounds").then((m) => ({ default: m.Rounds })));
const Calendar = lazy(() => import("../screens/member/Calendar").then((m) => ({ default: m.Calendar })));
const Chat = lazy(() => import("../screens/member/Chat").then((m) => ({ default: m.Chat })));
const Documents = lazy(() => import("../screens/member/Documents").then((m) => ({ default: m.Documents })));

// The screen this page opened at starts downloading now, alongside the session's renewal.
const opening = firstScreen(window.location.pathname);
if (opening === "home") void loadHome();
else if (opening === "programs") void loadPrograms();

function Landing() {
  const { t } = useTranslation();
  const { signIn } = useAuth();
  return (
    <Stack maw={640}>
      <PageTitle>{t("landing.heading")}</PageTitle>
      <Text>{t("landing.lead")}</Text>
      <Group>
        <Button onClick={() => void signIn()}>{t("app.signIn")}</Button>
      </Group>
    </Stack>
  );
}

function ProgramNav({ programId, close }: { programId: string; close: () => void }) {
  const { t } = useTranslation();
  const { identity } = useAuth();
  const location = useLocation();
  const admin = useIsProgramAdmin(programId, !!identity?.isOrgAdmin);
  const base = `/p/${programId}`;
  const item = (to: string, label: string) => (
    <NavLink
      key={to}
      component={Link}
      to={to}
      label={label}
      active={location.pathname === to}
      aria-current={location.pathname === to ? "page" : undefined}
      onClick={close}
    />
  );
  return (
    <>
      <nav aria-label={t("app.mainNav")}>
        {item(base, t("nav.home"))}
        {item(`${base}/profile`, t("nav.profile"))}
        {item(`${base}/mentors`, t("nav.mentors"))}
        {item(`${base}/requests`, t("nav.requests"))}
        {item(`${base}/chat`, t("nav.chat"))}
        {item(`${base}/calendar`, t("nav.calendar"))}
        {item(`${base}/goals`, t("nav.goals"))}
        {item(`${base}/documents`, t("nav.documents"))}
        {item("/", t("nav.programs"))}
      </nav>
      {admin && (
        <nav aria-label={t("app.adminNav")}>
          <Text size="sm" fw={700} mt="md" mb={4} px="sm">
            {t("app.adminNav")}
          </Text>
          {item(`${base}/admin/settings`, t("nav.settings"))}
          {item(`${base}/admin/members`, t("nav.members"))}
          {item(`${base}/admin/applications`, t("nav.applications"))}
          {item(`${base}/admin/rounds`, t("nav.rounds"))}
          {item(`${base}/admin/health`, t("nav.health"))}
        </nav>
      )}
    </>
  );
}

export function App() {
  const { t, i18n } = useTranslation();
  const { user, identity, ready, signIn, signOut, token } = useAuth();
  const [opened, { toggle, close }] = useDisclosure();
  const inProgram = useMatch("/p/:programId/*");
  const programId = inProgram?.params.programId;
  useTokenSource(token);

  useEffect(() => {
    document.title = t("app.title");
  }, [t, i18n.language]);

  let body;
  if (!ready) body = <Loading />;
  else if (!user) body = <Landing />;
  else
    body = (
      <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<Programs />} />
        <Route path="/programs/new" element={<ProgramSettings create />} />
        <Route path="/p/:programId" element={<Home />} />
        <Route path="/p/:programId/join" element={<Join />} />
        <Route path="/p/:programId/profile" element={<ProfileEditor />} />
        <Route path="/p/:programId/mentors" element={<MentorSearch />} />
        <Route path="/p/:programId/mentors/:mentorId" element={<MentorPage />} />
        <Route path="/p/:programId/requests" element={<Requests />} />
        <Route path="/p/:programId/chat" element={<Chat />} />
        <Route path="/p/:programId/calendar" element={<Calendar />} />
        <Route path="/p/:programId/goals" element={<GoalsAndCheckIns />} />
        <Route path="/p/:programId/documents" element={<Documents />} />
        <Route path="/p/:programId/documents/:matchId" element={<Documents />} />
        <Route path="/p/:programId/admin/settings" element={<ProgramSettings />} />
        <Route path="/p/:programId/admin/members" element={<Members />} />
        <Route path="/p/:programId/admin/applications" element={<Applications />} />
        <Route path="/p/:programId/admin/rounds" element={<Rounds />} />
        <Route path="/p/:programId/admin/health" element={<Health />} />
        <Route path="/callback" element={<Loading />} />
        <Route path="*" element={<Programs />} />
      </Routes>
      </Suspense>
    );

  const showNav = !!user && !!programId;
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={showNav ? { width: 240, breakpoint: "sm", collapsed: { mobile: !opened } } : undefined}
      padding="md"
    >
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            {showNav && <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("app.mainNav")} />}
            <Anchor component={Link} to="/" underline="never" c="inherit">
              <Title order={2} size="h4">
                {t("app.title")}
              </Title>
            </Anchor>
          </Group>
          <Group wrap="nowrap" gap="sm">
            <NativeSelect
              aria-label={t("app.language")}
              value={i18n.language}
              onChange={(e) => setLanguage(e.currentTarget.value as Language)}
              data={[
                { value: "en", label: "English" },
                { value: "fr", label: "Français" },
              ]}
            />
            {identity ? (
              <>
                <Text size="sm" visibleFrom="sm">
                  {t("app.signedInAs", { name: identity.name })}
                </Text>
                <Button variant="outline" onClick={() => void signOut()}>
                  {t("app.signOut")}
                </Button>
              </>
            ) : (
              ready && <Button onClick={() => void signIn()}>{t("app.signIn")}</Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      {showNav && (
        <AppShell.Navbar p="xs">
          <ProgramNav programId={programId} close={close} />
        </AppShell.Navbar>
      )}
      <AppShell.Main id="main" tabIndex={-1}>
        {body}
      </AppShell.Main>
    </AppShell>
  );
}
