/** The assignor registry: the name a member asks for → the pure function that computes the assignment. */
import type { Assignor } from '../../types';
import type { AssignorInput, AssignorOutput } from './assignor';
import { cooperativeStickyAssign } from './cooperative-sticky';
import { rangeAssign } from './range';
import { roundRobinAssign } from './roundrobin';

export type AssignFn = (input: AssignorInput) => AssignorOutput;

export const ASSIGNORS: Readonly<Record<Assignor, AssignFn>> = {
  range: rangeAssign,
  roundrobin: roundRobinAssign,
  'cooperative-sticky': cooperativeStickyAssign,
};

export function isAssignor(name: string): name is Assignor {
  return Object.prototype.hasOwnProperty.call(ASSIGNORS, name);
}

export type { AssignorInput, AssignorMember, AssignorOutput } from './assignor';
