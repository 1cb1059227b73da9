export function QueuePage() {
  return <div className="page">queue</div>;
}
