package org.pshmem.tests.hosts;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command of the test machine ({@code ip}, {@code ss}, {@code bash}) to its end within a deadline,
 * its output kept in a file as it comes, so that a command that hangs cannot block the test.
 */
public final class ShortCommand
{
    /** The deadline of {@link #must}: one step of setting up a host. */
    private static final long MUST_SECONDS = 15;

    /**
     * A finished short command.
     *
     * @param command the command and its arguments.
     * @param status  its exit status: 127 when it could not be started (not installed), -1 when it timed out.
     * @param output  its standard output and error.
     */
    public record Result(List<String> command, int status, String output)
    {
        /**
         * Describes the command for a failure message.
         *
         * @return the command, its status and its output.
         */
        public String describe()
        {
            return String.join(" ", command) + ": exit status " + status +
                (output.isBlank() ? "" : ", output: " + output.trim());
        }
    }

    private ShortCommand()
    {
    }

    /**
     * Runs a command to its end, or until its deadline.
     *
     * @param timeoutSeconds how long it may run; then it and its descendants are killed.
     * @param command        the command and its arguments.
     * @return how it ended.
     * @throws IOException          when its output file cannot be made.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static Result run(final long timeoutSeconds, final String... command)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("pshmem-hosts-cmd", ".out");
        try
        {
            final Process process;
            try
            {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).start();
            }
            catch (final IOException ex)
            {
                return new Result(List.of(command), 127, ex.getMessage());
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(List.of(command), -1,
                    "timed out after " + timeoutSeconds + " s; " + RunFiles.read(out));
            }
            return new Result(List.of(command), process.exitValue(), RunFiles.read(out));
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Runs a command that must succeed.
     *
     * @param command the command and its arguments.
     * @throws AssertionError       when it fails or times out, with its output.
     * @throws IOException          when its output file cannot be made.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static void must(final String... command) throws IOException, InterruptedException
    {
        final Result result = run(MUST_SECONDS, command);
        if (result.status() != 0)
        {
            throw new AssertionError(result.describe());
        }
    }
}
