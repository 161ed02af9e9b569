/** A small inline SVG line of the last samples; the label names it for screen readers. */
export function Sparkline({ values, label, width = 120, height = 24 }: { values: readonly number[]; label: string; width?: number; height?: number }) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / max) * height).toFixed(1)}`).join(' ');
  const last = values.length > 0 ? values[values.length - 1] : null;
  return (
    <figure className="syncline-inspector__chart">
      <svg role="img" aria-label={`${label}: ${last ?? '–'}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
        <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <figcaption>{`${label}: ${last ?? '–'}`}</figcaption>
    </figure>
  );
}
