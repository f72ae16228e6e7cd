package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
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
    void aFailingRankMakesTheLauncherExitNonZero() throws Exception
    {
        final Result result = java(LocalLauncher.class.getName(), "-np", "2", "no.such.Main");
        assertEquals(2, result.exitCode);
        assertTrue(result.stderr.contains("cannot find public static void main(String[]) in 'no.such.Main'"),
            result.stderr);
    }

    private record Result(int exitCode, String stdout, String stderr)
    {
    }

    /** Runs a JVM of this JDK with only pshmem's own classes and jffi on the class path. */
    private static Result java(final String... mainAndArgs) throws IOException, InterruptedException
    {
        final String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> entry.contains("pshmem-") || entry.contains(File.separator + "jffi-"))
            .collect(Collectors.joining(File.pathSeparator));
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-cp", classPath));
        command.addAll(Arrays.asList(mainAndArgs));
        final File err = File.createTempFile("pshmem-example", ".err");
        try
        {
            final Process process = new ProcessBuilder(command).redirectError(err).start();
            final String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("the example did not finish within 120 s");
            }
            return new Result(process.exitValue(), stdout,
                new String(java.nio.file.Files.readAllBytes(err.toPath()), StandardCharsets.UTF_8));
        }
        finally
        {
            err.delete();
        }
    }
}
