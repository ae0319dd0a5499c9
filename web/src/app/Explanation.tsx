import { Badge, Group, List, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { M } from "../api/client";

/** Why a mentor is recommended: the summary, the reasons, what the two share, exclusions. */
export function Explanation({ explanation }: { explanation: M["Explanation"] }) {
  const { t } = useTranslation();
  const shared = Object.entries(explanation.shared).filter(([, v]) => v.length > 0);
  return (
    <div>
      {explanation.reasons.length === 0 && <Text size="sm">{explanation.summary}</Text>}
      {explanation.reasons.length > 0 && (
        <List size="sm" mt={4}>
          {explanation.reasons.map((r) => (
            <List.Item key={r}>{r}</List.Item>
          ))}
        </List>
      )}
      {shared.length > 0 && (
        <Group gap={4} mt={4} aria-label={t("mentor.shared")} role="group">
          {[...new Set(shared.flatMap(([, values]) => values))].map((v) => (
            <Badge key={v} variant="outline" color="teal.9" tt="none">
              {v}
            </Badge>
          ))}
        </Group>
      )}
      {explanation.exclusions.length > 0 && (
        <Text size="sm" c="red.9" mt={4}>
          {t("mentor.excluded", { reasons: explanation.exclusions.join("; ") })}
        </Text>
      )}
    </div>
  );
}
