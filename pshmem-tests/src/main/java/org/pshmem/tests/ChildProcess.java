package org.pshmem.tests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process to its end within a deadline. Its output goes to files as it comes, so a child that
 * never ends fails the test with what it printed, instead of blocking it (reading its pipe to the end before
 * waiting would wait as long as the child does).
 */
public final class ChildProcess
{
    /**
     * A finished child.
     *
     * @param status its exit status.
     * @param out    its standard output (with standard error, when the builder merges them).
     * @param err    its standard error, when kept apart.
     */
    public record Result(int status, String out, String err)
    {
    }

    private ChildProcess()
    {
    }

    /**
     * @param builder  the child's command, folder and environment; its redirections are replaced, except the
     *                 merging of standard error into standard output.
     * @param deadline how long it may run.
     * @return its status and output.
     * @throws AssertionError       when it did not end in time (it and its descendants are then killed).
     * @throws IOException          when it cannot be started.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static Result run(final ProcessBuilder builder, final Duration deadline)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("pshmem-child", ".out");
        final Path err = Files.createTempFile("pshmem-child", ".err");
        try
        {
            final Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", builder.command()) + " did not end within " +
                    deadline.toSeconds() + " s; it printed:\n" + read(out) + read(err));
            }
            return new Result(process.exitValue(), read(out), read(err));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String read(final Path file) throws IOException
    {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
