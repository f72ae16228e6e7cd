package org.pshmem.tests.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Reads and removes the files of a test run (logs, run folders, {@code /etc/netns} entries) without throwing:
 * cleaning up goes on after one file fails, and the test's leftover check says what stayed.
 */
public final class RunFiles
{
    private RunFiles()
    {
    }

    /**
     * Reads a text file, or says why it cannot.
     *
     * @param file a text file, such as a log.
     * @return its text, or why it cannot be read.
     */
    public static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(cannot read " + file + ": " + ex + ")";
        }
    }

    /**
     * Removes a folder and everything in it, as far as it can; nothing when it does not exist.
     *
     * @param dir the folder.
     */
    public static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // Reported by the leftover check.
        }
    }
}
