export function CompareView() {
  return <div className="page">compare</div>;
}
