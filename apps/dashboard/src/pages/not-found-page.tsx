import { EmptyState } from "../components/states.tsx";
import { Link } from "../routing/location.tsx";

export function NotFoundPage({ path }: { path: string }) {
  return (
    <div className="page">
      <EmptyState title="No such page">
        <p>
          Nothing lives at <code>{path}</code>. <Link href="/">Go to projects</Link>
        </p>
      </EmptyState>
    </div>
  );
}
