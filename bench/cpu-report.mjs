// Preloaded (node --import) into the processes bench:vision times: at exit, appends this process's CPU time
// (user + system, all threads, in ms) to the file named by BENCH_CPU_FILE. On a shared, loaded machine the
// wall time of a process mostly measures how long it waited for a core; its CPU time does not.
import fs from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.appendFileSync(file, `${(usage.userCPUTime + usage.systemCPUTime) / 1000}\n`);
  });
}
