import { Provider } from '@nestjs/common';
import { Program, loadProgram } from '@tally/program';

/** The loaded program (TALLY_PROGRAM, else the built-in one); the redemption rules read it as it is. */
export const PROGRAM = Symbol('PROGRAM');

export const programProvider = (path: string | undefined): Provider => ({ provide: PROGRAM, useFactory: (): Program => loadProgram(path) });
