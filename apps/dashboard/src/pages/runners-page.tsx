export function RunnersPage() {
  return <div className="page">runners</div>;
}
