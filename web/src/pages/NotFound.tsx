import { PageHeader } from "../components/ui";
import { useTitle } from "../lib/hooks";

export function NotFound({ reason }: { reason?: string }) {
  useTitle("Not found");
  return (
    <>
      <PageHeader title="Not here" />
      <p>{reason ?? "There is no page at this address."}</p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </>
  );
}
