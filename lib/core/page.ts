// One page of a list and how to ask for the next: every paginated route and query uses these.

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}
