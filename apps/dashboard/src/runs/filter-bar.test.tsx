import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkFilter, FilterBar } from "./filter-bar.tsx";

afterEach(cleanup);

function setup(value = "") {
  const onApply = vi.fn();
  const view = render(<FilterBar value={value} onApply={onApply} />);
  const input = screen.getByRole("searchbox", { name: "Filter runs" }) as HTMLInputElement;
  return { onApply, input, view };
}

describe("filter bar", () => {
  it("applies a valid filter on Enter", () => {
    const { onApply, input } = setup();
    fireEvent.change(input, { target: { value: "config.lr < 0.01 and summary.val_accuracy.max > 0.9 " } });
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onApply).toHaveBeenCalledWith("config.lr < 0.01 and summary.val_accuracy.max > 0.9");
  });

  it("shows the parser's message inline and refuses to apply an invalid filter", () => {
    const { onApply, input } = setup();
    fireEvent.change(input, { target: { value: "config.lr <" } });
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toMatch(/expected a value/);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onApply).not.toHaveBeenCalled();
  });

  it("names an unknown status", () => {
    expect(checkFilter("status = sleeping")?.message).toMatch(/unknown status "sleeping"/);
    expect(checkFilter("")).toBeNull();
  });

  it("goes back to the filter in effect on Escape", () => {
    const { input } = setup("tags has best");
    fireEvent.change(input, { target: { value: "tags has" } });
    fireEvent.keyDown(input, { key: "Escape" });
    expect(input.value).toBe("tags has best");
  });

  it("shows the server's error for the applied filter and clears it", () => {
    const onApply = vi.fn();
    render(
      <FilterBar
        value="config.lr > 1"
        onApply={onApply}
        serverError="filter: something the server refused"
      />,
    );
    expect(screen.getByRole("alert").textContent).toContain("something the server refused");
    fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(onApply).toHaveBeenCalledWith("");
  });
});
