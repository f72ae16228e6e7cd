package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Pshmem;
import org.pshmem.examples.ReadmeExample;
import org.pshmem.local.LocalLauncher;

/**
 * The README example as users run it: in a fresh JVM with only pshmem and its one dependency (jffi, which the
 * in-process transport uses on Java 17 to 21) on the class path, and no JVM options.
 */
class ReadmeExampleTest
{
    @Test
    void fourRanksPrintWhatUpstreamPrints() throws Exception
    {
        final String expected;
        try (InputStream in = getClass().getResourceAsStream("/readme-example-4-ranks.txt"))
        {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final Result result = java(LocalLauncher.class.getName(), "-np", "4", ReadmeExample.class.getName());
        assertEquals(0, result.exitCode, result.stderr);
        assertEquals(expected, result.stdout);
    }

    /** ReadmeExampleOutput, which the mpi tests compare with, gives the README's text on the README's layout. */
    @Test
    void theOutputOfALayoutIsTheReadmesWithItsCounts() throws Exception
    {
        try (InputStream in = getClass().getResourceAsStream("/readme-example-4-ranks.txt"))
        {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), ReadmeExampleOutput.expected(1, 4, 4));
        }
        final String uneven = ReadmeExampleOutput.expected(2, 2, 3);
        assertTrue(uneven.contains("replicated on 2 nodes, each with 2 processes (3 total)\n"), uneven);
        assertTrue(uneven.contains("rank 2: shm[2, 3] = 5.0\n"), uneven);
        assertTrue(!uneven.contains("rank 3"), uneven);
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> ReadmeExampleOutput.expected(2, 1, 3));
        assertEquals("no layout has 3 ranks on 2 nodes with at most 1 on one", bad.getMessage());
    }

    @Test
    void aPlainJvmRunsTheExampleAsOneRank() throws Exception
    {
        final Result result = java(ReadmeExample.class.getName());
        assertEquals(0, result.exitCode, result.stderr);
        assertTrue(result.stdout.contains("replicated on 1 nodes, each with 1 processes (1 total)"), result.stdout);
        assertTrue(result.stdout.contains("rank 0: shm[2, 3] = 5.0"), result.stdout);
        assertEquals("", result.stderr, "nothing on standard error");
    }

    @Test
    void aMissingMainClassIsBadUsage() throws Exception
    {
        final Result result = java(LocalLauncher.class.getName(), "-np", "2", "no.such.Main");
        assertEquals(2, result.exitCode);
        assertTrue(result.stderr.contains("cannot find public static void main(String[]) in 'no.such.Main'"),
            result.stderr);
    }

    /**
     * README: the launcher prints one line per rank that threw, one stack trace, then
     * {@code pshmem: local job of N ranks failed: rank R failed: ...}, and exits 1.
     */
    @Test
    void aFailingRankMakesTheLauncherSayWhichAndExit1() throws Exception
    {
        final Result result = java(LocalLauncher.class.getName(), "-np", "3", FailingRank.class.getName());
        assertEquals(1, result.exitCode, result.stderr);
        final java.util.List<String> lines = result.stderr.lines().toList();
        assertEquals("pshmem: local job of 3 ranks failed: rank 1 failed: " +
            "java.lang.IllegalStateException: rank 1 fails on purpose", lines.get(lines.size() - 1), result.stderr);
        assertTrue(lines.contains("pshmem: rank 1 failed: java.lang.IllegalStateException: rank 1 fails on purpose"),
            result.stderr);
        assertTrue(lines.contains("pshmem: stack trace of rank 1 (every rank's with pshmem.allTraces or " +
            "PSHMEM_ALL_TRACES=true):"), result.stderr);
    }

    /** A program whose rank 1 throws while the others wait for it in a barrier. */
    public static final class FailingRank
    {
        private FailingRank()
        {
        }

        public static void main(final String[] args)
        {
            try (Pshmem pshmem = Pshmem.init(args))
            {
                if (pshmem.world().rank() == 1)
                {
                    throw new IllegalStateException("rank 1 fails on purpose");
                }
                pshmem.world().barrier();
            }
        }
    }

    private record Result(int exitCode, String stdout, String stderr)
    {
    }

    /** Runs a JVM of this JDK with only pshmem's own classes and jffi on the class path, for at most 120 s. */
    private static Result java(final String... mainAndArgs) throws IOException, InterruptedException
    {
        final String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> entry.contains("pshmem-") || entry.contains(File.separator + "jffi-"))
            .collect(Collectors.joining(File.pathSeparator));
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-cp", classPath));
        command.addAll(Arrays.asList(mainAndArgs));
        final ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(command), Duration.ofSeconds(120));
        return new Result(result.status(), result.out(), result.err());
    }
}
