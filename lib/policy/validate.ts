// Write-time validation of a tenant policy document. Everything STS or IAM would refuse at issuance
// time is refused here instead, with every problem listed at once, each with its JSON path and a
// stable code. Every rule lives in the one zod/mini schema (reporting helpers: ./problems), so the
// schema alone already refuses all that the validator refuses.
import * as z from 'zod/mini';
import {
  type AssumeRoleSettings,
  type IamStatement,
  ID_PATTERN,
  IDENTITY_TAGS,
  MFA_TAG,
  type MfaRequirement,
  MODES,
  type Mode,
  type ModeSettings,
  type TenantPolicyDocument,
} from '../core/model';
import { issuesToProblems, type PolicyProblem, quote, type Report, rule } from '../core/problems';
import { required } from '../core/required';
import {
  isActionPattern,
  isConditionOperator,
  isResourcePattern,
  MANAGED_POLICY_ARN_PATTERN,
  POLICY_CHARS,
  SID_PATTERN,
  TAG_KEY_PATTERN,
  TAG_VALUE_PATTERN,
} from './iam-syntax';
import {
  PLACEHOLDER_MAX_LENGTH,
  PLACEHOLDER_PATTERN,
  PLACEHOLDERS,
  renderStatements,
  renderString,
  type TemplateValues,
  UnknownPlaceholderError,
} from './render';
import { RESERVED_KEYS, reservedKeyPaths } from './reserved-keys';
import { buildSessionPolicy } from './session';
import { STS_LIMITS } from './sts-limits';

export type { PolicyProblem };

export type PolicyValidation = { ok: true; document: TenantPolicyDocument; problems: [] } | { ok: false; problems: PolicyProblem[] };

/** Session tags every assume-role session carries (set by the issuance flow); a tenant may not set them. */
const RESERVED_TAG_KEYS: readonly string[] = [...IDENTITY_TAGS, MFA_TAG];
const MAX_TENANT_TAGS = STS_LIMITS.tags - RESERVED_TAG_KEYS.length;
/** Keys a tenant may give its own session tags: printable ASCII without spaces. */
const TENANT_TAG_KEY = /^[A-Za-z0-9_.:/=+\-@]+$/;
const RATE_LIMIT_PER_MINUTE = { min: 1, max: 100_000 } as const;

/** Every placeholder at its longest: the largest session policy a document can ever render to. */
const WORST_CASE_VALUES = Object.fromEntries(
  PLACEHOLDERS.map((name) => [name, 'x'.repeat(PLACEHOLDER_MAX_LENGTH[name])]),
) as TemplateValues;

// ---- rules ------------------------------------------------------------------------------------

type Loose<T> = { [K in keyof T]?: unknown };
type Range = { readonly min: number; readonly max: number };

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkPlaceholders(text: string, report: Report, path?: PropertyKey[]): void {
  for (const [, name = ''] of text.matchAll(PLACEHOLDER_PATTERN)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      report('unknown_placeholder', `Unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`, path);
    }
  }
  // A NUL stand-in, so removing a placeholder cannot join the braces around it into a new pair.
  const rest = text.replace(PLACEHOLDER_PATTERN, '\0');
  if (rest.includes('{{') || rest.includes('}}')) {
    report('malformed_placeholder', 'A "{{" or "}}" that is not part of a placeholder like {{tenantId}}', path);
  }
}

/** Every string of a statement (values and keys alike) ends up in the session policy text. */
function checkPolicyText(text: string, report: Report, path?: PropertyKey[]): void {
  checkPlaceholders(text, report, path);
  const bad = [...text].find((ch) => !POLICY_CHARS.test(ch));
  if (bad !== undefined) {
    const codePoint = `U+${required(bad.codePointAt(0), 'code point of a character').toString(16).toUpperCase().padStart(4, '0')}`;
    report('invalid_characters', `STS accepts only tab, newline, return and \\x20-\\xFF in a policy (found ${codePoint})`, path);
  }
}

const policyString = z.string().check(rule<string>(isString, checkPolicyText));

function policyPattern(matches: (value: string) => boolean, code: string, expected: string) {
  return z.string().check(
    rule<string>(isString, (value, report) => {
      checkPolicyText(value, report);
      if (!matches(value)) report(code, `${quote(value)} is not ${expected}`);
    }),
  );
}

function nonEmptyList<T>(item: z.ZodMiniType<T>) {
  return z.array(item).check(
    rule<unknown[]>(Array.isArray, (list, report) => {
      if (list.length === 0) report('empty_list', 'The list must not be empty');
    }),
  );
}

function oneOrMore(item: z.ZodMiniString<string>) {
  return z.union([item, nonEmptyList(item)], { error: 'Expected a string or a non-empty array of strings' });
}

function integerIn(range: Range, code: string, unit = '') {
  return z.number().check(
    rule<number>(isNumber, (n, report) => {
      if (!Number.isInteger(n)) report('not_integer', `Expected a whole number, got ${n}`);
      else if (n < range.min || n > range.max) report(code, `Must be between ${range.min} and ${range.max}${unit}, got ${n}`);
    }),
  );
}

const seconds = (range: Range) => integerIn(range, 'duration_out_of_range', ' seconds');

function matching(pattern: RegExp, code: string, expected: string) {
  return z.string().check(
    rule<string>(isString, (value, report) => {
      if (!pattern.test(value)) report(code, `Expected ${expected}`);
    }),
  );
}

// ---- statements -------------------------------------------------------------------------------

const ActionList = oneOrMore(policyPattern(isActionPattern, 'invalid_action', 'an action like "s3:GetObject" or "*"'));
const ResourceList = oneOrMore(policyPattern(isResourcePattern, 'invalid_arn', 'an ARN like "arn:aws:s3:::bucket/*" or "*"'));

const ConditionValue = z.union([policyString, nonEmptyList(policyString), z.boolean(), z.number()], {
  error: 'Expected a string, a non-empty array of strings, a boolean or a number',
});

/** `{ "s3:prefix": "{{tenantId}}/*" }`: condition keys are rendered like values, so they are checked alike. */
const ConditionBlock = z.record(z.string(), ConditionValue).check(
  rule<Record<string, unknown>>(isRecord, (block, report) => {
    for (const key of Object.keys(block)) {
      if (key === '') report('invalid_condition_key', 'A condition key must not be empty', [key]);
      checkPolicyText(key, report, [key]);
    }
  }),
);

const Condition = z.record(z.string(), ConditionBlock).check(
  rule<Record<string, unknown>>(isRecord, (condition, report) => {
    for (const operator of Object.keys(condition)) {
      if (!isConditionOperator(operator)) {
        report('unknown_condition_operator', `${quote(operator)} is not an IAM condition operator`, [operator]);
      }
    }
  }),
);

const Statement = z
  .strictObject({
    Sid: z.optional(matching(SID_PATTERN, 'invalid_sid', 'a Sid of letters and digits only')),
    Effect: z.enum(['Allow', 'Deny']),
    Action: z.optional(ActionList),
    NotAction: z.optional(ActionList),
    Resource: z.optional(ResourceList),
    NotResource: z.optional(ResourceList),
    Condition: z.optional(Condition),
  })
  .check(
    rule<Loose<IamStatement>>(isRecord, (s, report) => {
      const either = (a: 'Action' | 'Resource', not: 'NotAction' | 'NotResource', what: string) => {
        if (s[a] === undefined && s[not] === undefined) {
          report(`missing_${what}`, `A statement needs ${a} or ${not}`);
        } else if (s[a] !== undefined && s[not] !== undefined) {
          report(`${what}_and_not_${what}`, `A statement takes ${a} or ${not}, not both`);
        }
      };
      either('Action', 'NotAction', 'action');
      // Session policies have no principal to scope by, so they always need a resource element.
      either('Resource', 'NotResource', 'resource');
    }),
  );

const Statements = z.array(Statement).check(
  rule<unknown[]>(Array.isArray, (statements, report) => {
    if (statements.length === 0) report('no_statements', 'The policy needs at least one statement');
    const seen = new Set<string>();
    statements.forEach((s, i) => {
      const sid = isRecord(s) ? s.Sid : undefined;
      if (!isString(sid) || sid === '') return;
      if (seen.has(sid)) report('duplicate_sid', `Sid ${quote(sid)} is used by an earlier statement`, [i, 'Sid']);
      seen.add(sid);
    });
  }),
);

// ---- modes ------------------------------------------------------------------------------------

function checkDefaultWithinMax(mode: Loose<ModeSettings>, report: Report) {
  const { defaultDurationSeconds: def, maxDurationSeconds: max } = mode;
  if (isNumber(def) && isNumber(max) && def > max) {
    report('default_exceeds_max', `defaultDurationSeconds ${def} exceeds maxDurationSeconds ${max}`, ['defaultDurationSeconds']);
  }
}

const FederationModeSchema = z
  .strictObject({
    defaultDurationSeconds: seconds(STS_LIMITS.federationDuration),
    maxDurationSeconds: seconds(STS_LIMITS.federationDuration),
  })
  .check(rule(isRecord, checkDefaultWithinMax));

/** Fields the operator's binding owns: named, so a tenant admin learns where they went. */
function ownedByOperator(field: string, instead: string) {
  return z.optional(
    z.unknown().check(
      rule<unknown>(
        () => true,
        (_, report) => report('owned_by_operator', `${field} is set by an operator in the tenant's binding; ${instead}`),
      ),
    ),
  );
}

const AssumeRoleModeSchema = z
  .strictObject({
    defaultDurationSeconds: seconds(STS_LIMITS.assumeRoleDuration),
    maxDurationSeconds: seconds(STS_LIMITS.assumeRoleDuration),
    role: matching(ID_PATTERN, 'invalid_role_name', 'the name of a role in the binding (3-32 lowercase letters, digits, dashes)'),
    roleArn: ownedByOperator('roleArn', 'name one of its roles with "role"'),
    externalId: ownedByOperator('externalId', 'credvend generates it (GET /v1/tenants/{tenantId}/trust)'),
    roleMaxSessionDuration: ownedByOperator('roleMaxSessionDuration', 'it comes with the bound role'),
    sessionTags: ownedByOperator('sessionTags', 'the tenant and partner tags are on every session'),
  })
  .check(rule<Loose<AssumeRoleSettings>>(isRecord, checkDefaultWithinMax));

const Modes = z.strictObject({ 'assume-role': z.optional(AssumeRoleModeSchema), federation: z.optional(FederationModeSchema) }).check(
  rule<Record<string, unknown>>(isRecord, (modes, report) => {
    if (!MODES.some((m) => modes[m] !== undefined)) report('no_modes', `Configure at least one of ${MODES.join(', ')}`);
  }),
);

// ---- the rest of the document -----------------------------------------------------------------

const ManagedPolicyArns = z
  .array(
    matching(
      MANAGED_POLICY_ARN_PATTERN,
      'invalid_managed_policy_arn',
      'a managed policy ARN like "arn:aws:iam::aws:policy/ReadOnlyAccess"',
    ),
  )
  .check(
    rule<unknown[]>(Array.isArray, (arns, report) => {
      if (arns.length > STS_LIMITS.policyArns) {
        report('too_many_managed_policies', `At most ${STS_LIMITS.policyArns} managed policy ARNs (got ${arns.length})`);
      }
    }),
  );

/** STS measures tag keys and values in UTF-16 code units (an astral letter is two), not code points. */
const stsLength = (s: string) => s.length;

/** Tag values are rendered like statements, so they are measured at their worst case. */
const TagValue = z.string().check(
  rule<string>(isString, (value, report) => {
    checkPlaceholders(value, report);
    let rendered: string;
    try {
      rendered = renderString(value, WORST_CASE_VALUES);
    } catch (err) {
      if (err instanceof UnknownPlaceholderError) return; // already reported as unknown_placeholder
      throw err;
    }
    if (stsLength(rendered) > STS_LIMITS.tagValue.max) {
      report('tag_value_too_long', `Tag values are at most ${STS_LIMITS.tagValue.max} characters (worst case ${stsLength(rendered)})`);
    }
    if (!TAG_VALUE_PATTERN.test(rendered)) {
      report('invalid_tag_value', 'Tag values may contain only letters, digits, spaces and _.:/=+-@');
    }
  }),
);

const SessionTags = z.record(z.string(), TagValue).check(
  rule<Record<string, unknown>>(isRecord, (tags, report) => {
    const keys = Object.keys(tags);
    if (keys.length > MAX_TENANT_TAGS) {
      report(
        'too_many_session_tags',
        `At most ${MAX_TENANT_TAGS} session tags (got ${keys.length}); ${RESERVED_TAG_KEYS.join(' and ')} are set by credvend`,
      );
    }
    const seen = new Set<string>();
    for (const key of keys) {
      const folded = key.toLowerCase();
      const { min, max } = STS_LIMITS.tagKey;
      // ASCII without spaces: a key like "tenant " or "t\u0435nant" would pass for credvend's own tags to a reader.
      if (stsLength(key) < min || stsLength(key) > max || !TAG_KEY_PATTERN.test(key) || !TENANT_TAG_KEY.test(key)) {
        report('invalid_tag_key', `Tag keys are ${min}-${max} ASCII letters, digits and _.:/=+-@`, [key]);
      }
      // `oidc:` is for the claims of a partner's OIDC token (lib/identity/oidc-rules.ts CLAIM_TAG_PREFIX).
      if (RESERVED_TAG_KEYS.includes(folded) || folded.startsWith('aws:') || folded.startsWith('oidc:')) {
        report('reserved_tag_key', `Tag key ${quote(key)} is reserved`, [key]);
      }
      // STS treats tag keys case-insensitively: two spellings of one key are a duplicate.
      if (seen.has(folded)) report('duplicate_tag_key', `Tag key ${quote(key)} repeats an earlier key (keys are case-insensitive)`, [key]);
      seen.add(folded);
    }
  }),
);

const RateLimit = z.strictObject({ perMinute: integerIn(RATE_LIMIT_PER_MINUTE, 'rate_limit_out_of_range') });

/** `{ "modes": ["federation"], "roles": ["admin"] }`: MFA for a mode, or for assume-role with a bound role. */
const Mfa = z
  .strictObject({
    modes: z.optional(z.array(z.enum(MODES as [Mode, ...Mode[]]))),
    roles: z.optional(
      z.array(matching(ID_PATTERN, 'invalid_role_name', 'the name of a role in the binding (3-32 lowercase letters, digits, dashes)')),
    ),
  })
  .check(
    rule<Loose<MfaRequirement>>(isRecord, (mfa, report) => {
      const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
      if (count(mfa.modes) + count(mfa.roles) === 0) {
        report('mfa_requirement_empty', 'Name at least one mode or role that needs MFA, or leave mfa out');
      }
      for (const key of ['modes', 'roles'] as const) {
        const list = mfa[key];
        if (Array.isArray(list) && new Set(list).size !== list.length) report('duplicate_entry', `${key} lists an entry twice`, [key]);
      }
    }),
  );

function worstCaseLength(statements: readonly IamStatement[], managedPolicyArns: readonly string[]): number {
  const policy = JSON.stringify(buildSessionPolicy(renderStatements(statements, WORST_CASE_VALUES), undefined));
  return policy.length + managedPolicyArns.reduce((sum, arn) => sum + arn.length, 0);
}

/**
 * The largest plaintext size (session policy + managed policy ARNs) the document can render to, as
 * STS measures it. IAM variables like ${aws:username} are counted as written: IAM expands them later.
 */
export function worstCaseSessionPolicyLength(doc: TenantPolicyDocument): number {
  return worstCaseLength(doc.statements, doc.managedPolicyArns ?? []);
}

export const TenantPolicyDocumentSchema = z
  .strictObject({
    defaultMode: z.enum(MODES as [Mode, ...Mode[]]),
    modes: Modes,
    statements: Statements,
    managedPolicyArns: z.optional(ManagedPolicyArns),
    sessionTags: z.optional(SessionTags),
    rateLimit: z.optional(RateLimit),
    mfa: z.optional(Mfa),
  })
  .check(
    rule<Loose<TenantPolicyDocument>>(isRecord, (doc, report) => {
      // Without a modes object there is nothing to relate these to; its absence is reported on its own.
      const modes = isRecord(doc.modes) ? doc.modes : undefined;
      const { defaultMode } = doc;
      if (modes && isString(defaultMode) && (MODES as readonly string[]).includes(defaultMode) && modes[defaultMode] === undefined) {
        report('default_mode_not_configured', `defaultMode ${quote(defaultMode)} has no settings under modes`, ['defaultMode']);
      }

      if (!Array.isArray(doc.statements)) return;
      const arns = Array.isArray(doc.managedPolicyArns) ? doc.managedPolicyArns.filter(isString) : [];
      let size: number;
      try {
        // Rendering walks any JSON value; shape problems of the statements are reported by their own rules.
        size = worstCaseLength(doc.statements as IamStatement[], arns);
      } catch (err) {
        if (err instanceof UnknownPlaceholderError) return; // no worst case without knowing every placeholder
        throw err;
      }
      if (size > STS_LIMITS.policyPlaintext) {
        report(
          'policy_too_large',
          `With every placeholder at its longest, the session policy and managed policy ARNs reach ${size} characters; STS allows ${STS_LIMITS.policyPlaintext}`,
          ['statements'],
        );
      }
    }),
  );

export function validatePolicyDocument(input: unknown): PolicyValidation {
  // Before the schema: its records drop `__proto__` without a word, so only the raw input shows it.
  const reserved = reservedKeyPaths(input);
  const result = TenantPolicyDocumentSchema.safeParse(input, { reportInput: true });
  if (result.success && reserved.length === 0) return { ok: true, document: result.data, problems: [] };
  const reservedProblems = reserved.map((path) => ({
    path,
    code: 'reserved_key',
    message: `Keys named ${RESERVED_KEYS.map(quote).join(', ')} are not allowed`,
  }));
  // A strict object reports the same key as unknown_field: one problem per key is enough.
  const others = result.success ? [] : issuesToProblems(result.error.issues).filter((p) => !reserved.includes(p.path));
  return { ok: false, problems: [...reservedProblems, ...others] };
}
