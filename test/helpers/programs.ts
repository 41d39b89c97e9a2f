import { execFileSync } from 'node:child_process';

export function have(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Tests that drive a real program run when it is installed. Under CI=true a missing program fails
 * the suite (never a silent skip: .ci/run installs it); on a developer machine it skips with a note.
 */
export function requireProgram(program: string, debianPackage: string): boolean {
  const ok = have(program);
  if (!ok && process.env.CI === 'true') throw new Error(`${program} is not installed (apt-get install -y ${debianPackage}); under CI these tests must run`);
  if (!ok) console.warn(`${program} not installed (apt-get install -y ${debianPackage}): tests skipped (never under CI=true)`);
  return ok;
}
