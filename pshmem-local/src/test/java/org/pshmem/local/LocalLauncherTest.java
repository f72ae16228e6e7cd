package org.pshmem.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The in-process launcher alone checks the options {@code ./pshmem run --transport local} hands it: bad usage is
 * one line in ./pshmem's form with status 2; {@code --timeout} ends a job that does not finish.
 */
class LocalLauncherTest
{
    private static List<String> usageError(final String... args)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = LocalLauncher.launch(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        final List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, status, String.join("\n", lines));
        assertEquals(1, lines.size(), "one line: " + lines);
        return lines;
    }

    private static void assertRefused(final String problem, final String... args)
    {
        assertEquals(List.of("pshmem run: " + problem + " (see ./pshmem run --help)"), usageError(args));
    }

    @Test
    void badCommandLinesAreOneLineNamingTheProblem()
    {
        assertRefused("unknown option '--no-such-option'", "--no-such-option", "2", "Main");
        assertRefused("-np needs a value", "-np");
        assertRefused("no main class given", "-np", "2");
        assertRefused("-np must be at least 1, not 0", "-np", "0", "Main");
        assertRefused("-np needs a whole number, not 'two'", "-np", "two", "Main");
        assertRefused("-np needs a whole number, not '99999999999'", "-np", "99999999999", "Main");
        assertRefused("--nodes must be from 1 to the number of ranks (2), not 3", "-np", "2", "--nodes", "3", "Main");
        assertRefused("--timeout needs a whole number, not 'soon'", "--timeout", "soon", "Main");
        assertRefused("--timeout must be 0 (no limit) or more seconds, not -1", "--timeout", "-1", "Main");
        for (final String option : List.of("--machines", "--device", "--shm-dir", "--listen-address"))
        {
            assertRefused(option + " needs the mpj transport (a local job runs as threads of one JVM, which keeps " +
                "node memory inside it)", option, "x", "Main");
        }
        assertRefused("cannot find public static void main(String[]) in 'no.such.Main' on the class path",
            "-np", "2", "no.such.Main");
    }

    @Test
    void aFailedJobHasOneLinePerRankThatThrewThenOneTrace()
    {
        final IllegalStateException boom = new IllegalStateException("boom");
        final Throwable[] failures = {
            new org.pshmem.api.RankFailedException(1, "barrier() on rank 0: rank 1 failed: " + boom, boom),
            boom, null};
        final List<String> lines = LocalLauncher.summary(failures, 1, false).lines().toList();
        assertEquals("pshmem: rank 0: stopped because barrier() on rank 0: rank 1 failed: " +
            "java.lang.IllegalStateException: boom", lines.get(0));
        assertEquals("pshmem: rank 1 failed: java.lang.IllegalStateException: boom", lines.get(1));
        assertEquals("pshmem: stack trace of rank 1 (every rank's with pshmem.allTraces or PSHMEM_ALL_TRACES=true):",
            lines.get(2));
        assertEquals("java.lang.IllegalStateException: boom", lines.get(3));
        assertEquals(1, lines.stream().filter(line -> line.startsWith("pshmem: stack trace of")).count(), lines::toString);
        assertTrue(lines.stream().noneMatch(line -> line.startsWith("pshmem: rank 2")), "rank 2 returned");
        assertEquals(2, LocalLauncher.summary(failures, 1, true).lines()
            .filter(line -> line.startsWith("pshmem: stack trace of")).count(), "every trace with the setting");
    }

    @Test
    void aStretchThatIsNotAWholeNumberIsBadUsage()
    {
        System.setProperty("pshmem.hangReportSeconds", "soon");
        try
        {
            assertRefused("setting pshmem.hangReportSeconds or PSHMEM_HANG_REPORT_SECONDS is 'soon', not a whole number",
                "-np", "2", Forever.class.getName());
        }
        finally
        {
            System.clearProperty("pshmem.hangReportSeconds");
        }
    }

    /** A rank that never returns: only the timeout ends the job. */
    public static final class Forever
    {
        private Forever()
        {
        }

        /**
         * @param args unused.
         * @throws InterruptedException never in practice.
         */
        public static void main(final String[] args) throws InterruptedException
        {
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }

    @Test
    void theTimeoutEndsAJobThatDoesNotFinish() throws Exception
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
            LocalLauncher.class.getName(), "-np", "2", "--timeout", "1", "--", Forever.class.getName())
            .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        final long started = System.nanoTime();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the job outlived its timeout");
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), out);
        assertTrue(out.contains("pshmem: the job did not finish within 1 s; aborted"), out);
        assertTrue(System.nanoTime() - started >= TimeUnit.SECONDS.toNanos(1), "ended before its timeout");
    }
}
