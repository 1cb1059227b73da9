import { z } from "zod";
import { projectSlug } from "./common.ts";
import { pgText } from "./pg-text.ts";

export const project = z.object({
  slug: z.string(),
  name: z.string(),
  createdAt: z.string(),
  runCount: z.number(),
});
export type Project = z.infer<typeof project>;

export const projectsCreateInput = z.object({
  slug: projectSlug,
  name: pgText().min(1).max(200).optional(),
});
