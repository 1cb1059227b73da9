import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChartSettings } from "../charts/metric-chart.tsx";
import { DraftedChartControls, DraftedMetricSections } from "./drafted-smoothing.tsx";
import { createSmoothingDraft } from "./smoothing-draft.ts";

// The charts themselves need the API; what is under test is the smoothing they are handed.
vi.mock("../charts/metric-sections.tsx", () => ({
  MetricSections: ({ settings }: { settings: ChartSettings }) => (
    <output data-testid="charts">{settings.smoothing}</output>
  ),
}));

afterEach(cleanup);

const settings: ChartSettings = { xAxis: "step", smoothing: 0.6, logScale: false, ignoreOutliers: false };

function setup() {
  const frames: (() => void)[] = [];
  const draft = createSmoothingDraft((work) => frames.push(work));
  const onChange = vi.fn((next: ChartSettings) => draft.set(next.smoothing));
  render(
    <>
      <DraftedChartControls draft={draft} settings={settings} onChange={onChange} />
      <DraftedMetricSections
        draft={draft}
        settings={settings}
        sections={[]}
        runIds={[]}
        runNames={new Map()}
        colors={new Map()}
        hidden={new Set()}
        zoom={null}
        onZoom={() => {}}
      />
    </>,
  );
  const slider = screen.getByRole("slider") as HTMLInputElement;
  const charts = () => screen.getByTestId("charts").textContent;
  return { draft, frames, slider, charts };
}

describe("smoothing while the slider is dragged", () => {
  it("moves the slider at once and the charts at the next frame, before the URL has it", () => {
    const { frames, slider, charts } = setup();
    fireEvent.change(slider, { target: { value: "0.3" } });
    fireEvent.change(slider, { target: { value: "0.2" } });
    expect(slider.value).toBe("0.2");
    expect(charts()).toBe("0.6");
    expect(frames).toHaveLength(1);
    act(() => frames.shift()?.());
    expect(charts()).toBe("0.2");
  });

  it("goes back to the settings' smoothing when the drag is over", () => {
    const { draft, frames, slider, charts } = setup();
    fireEvent.change(slider, { target: { value: "0.9" } });
    act(() => frames.shift()?.());
    act(() => draft.set(null));
    act(() => frames.shift()?.());
    expect(slider.value).toBe("0.6");
    expect(charts()).toBe("0.6");
  });
});
