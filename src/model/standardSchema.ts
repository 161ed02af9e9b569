import { SyncError } from './errors.js';

/**
 * The Standard Schema V1 interface (https://standardschema.dev), declared here as its spec asks
 * libraries to do, so no schema library is a dependency: zod, valibot and arktype schemas all
 * carry this `~standard` property.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** `args.message.parts[0]`: where an issue is, for an error message. */
function pathOf(root: string, issue: StandardIssue): string {
  let out = root;
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out;
}

/**
 * Checks `value` with a schema, synchronously: `mutate` returns at once and stream events are
 * applied in order, so a schema that answers with a Promise is refused. Returns undefined when
 * valid, else a problem naming the first issue's path (`args.message.role: Invalid option`).
 * The value is kept as given: a schema's transforms and defaults are not applied.
 */
export function validateWith(schema: StandardSchemaV1, value: unknown, root: string): string | undefined {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) {
    result.catch(() => undefined); // refused either way; its outcome must not go unhandled
    return `${root} has a schema that validates asynchronously; syncline needs a synchronous one`;
  }
  if (!result.issues) return undefined;
  const [first] = result.issues;
  const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
  return `${first ? `${pathOf(root, first)}: ${first.message}` : `${root} is invalid`}${more}`;
}

/** The `invalid-args` error of a write whose args its schema refused. */
export function invalidArgs(name: string, problem: string): SyncError {
  return new SyncError('rejected', `${name}: ${problem}. Nothing was queued; fix the args and call mutate again.`, {
    code: 'invalid-args',
  });
}
