package org.pshmem.mpj;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Copies the output of one process of a job to the launcher's output, a line at a time (lines of different
 * processes interleave, never within a line), leaving out MPJ Express's banner lines. Owns one thread, which ends
 * with the process's output; {@link #close()} waits for it.
 */
final class OutputPump implements AutoCloseable
{
    private static final Pattern BANNER = Pattern.compile(
        "^(MPJ Express \\(.*\\) is started in the .*|Starting process <\\d+> on <.*>|Stopping Process <\\d+> on <.*>)$");
    private static final long JOIN_MILLIS = 5_000;

    private final Thread thread;

    /**
     * @param name   names the thread ({@code pshmem-<name>-output}).
     * @param output the process's output (its error stream merged in).
     * @param out    where the lines go.
     */
    OutputPump(final String name, final InputStream output, final PrintStream out)
    {
        thread = new Thread(() -> copy(output, out), "pshmem-" + name + "-output");
        thread.start();
    }

    private static void copy(final InputStream output, final PrintStream out)
    {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8)))
        {
            for (String line = lines.readLine(); null != line; line = lines.readLine())
            {
                if (!BANNER.matcher(line).matches())
                {
                    out.println(line);
                }
            }
        }
        catch (final IOException ignored)
        {
            // The process is gone.
        }
    }

    /** Waits up to 5 s for the last lines (the process has ended, or been ended). */
    @Override
    public void close()
    {
        try
        {
            thread.join(JOIN_MILLIS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
