// Renders a tenant's statement templates for one issuance. Substitution happens on parsed
// JSON string values, never on policy text, so a value can never break out of its string;
// IAM's own ${aws:…} variables are left for IAM to evaluate.
import type { IamStatement } from '../core/model';

/** Only identifiers credvend controls: nothing a caller types is ever rendered into a policy. */
export const PLACEHOLDERS = ['tenantId', 'partnerId'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** Longest value each placeholder can take: used for the worst-case size of a policy at write time. */
export const PLACEHOLDER_MAX_LENGTH: Record<Placeholder, number> = { tenantId: 32, partnerId: 32 };

export const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z0-9_]*)\s*\}\}/g;

export class UnknownPlaceholderError extends Error {
  constructor(readonly placeholder: string) {
    super(`Unknown template placeholder {{${placeholder}}}`);
  }
}

/** Two keys of one object rendered to the same name: one would silently replace the other. */
export class RenderedKeyCollisionError extends Error {
  constructor(readonly key: string) {
    super(`Two policy keys render to the same name "${key}"`);
  }
}

export function renderString(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER_PATTERN, (_, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) throw new UnknownPlaceholderError(name);
    return values[name as Placeholder];
  });
}

function renderValue(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') return renderString(value, values);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, values));
  if (value !== null && typeof value === 'object') {
    // Keys are rendered too: condition keys like "aws:PrincipalTag/{{…}}" are legitimate templates.
    // A value must never make two keys collide, or a condition would silently disappear.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = renderString(k, values);
      if (Object.hasOwn(out, key)) throw new RenderedKeyCollisionError(key);
      out[key] = renderValue(v, values);
    }
    return out;
  }
  return value;
}

export function renderStatements(statements: readonly IamStatement[], values: TemplateValues): IamStatement[] {
  return statements.map((s) => renderValue(s, values) as IamStatement);
}

export function renderTags(tags: Record<string, string> | undefined, values: TemplateValues): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k, renderString(v, values)]));
}
