package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.pshmem.api.RankFailedException;

/**
 * What ranks of this job left in the launcher's job folder ({@link GuardedRank#JOB_DIR_PROPERTY}): a rank
 * marked failed, or whose JVM is gone with no outcome, can no longer take part. Lets waits in node memory end
 * instead of waiting for it. Checked at most every 200 ms per process ({@code pshmem.failureCheckMs}); without a job folder nothing is known.
 */
final class JobStatus
{
    /** System property: milliseconds between looks at the job folder (default 200). */
    static final String CHECK_PROPERTY = "pshmem.failureCheckMs";
    static final long DEFAULT_CHECK_MS = 200;
    private static final long INTERVAL_NANOS = 1_000_000L * Long.getLong(CHECK_PROPERTY, DEFAULT_CHECK_MS);
    private static volatile long lastCheck;
    private static volatile RankFailedException known;

    private JobStatus()
    {
    }

    static RankFailedException failure(final String op, final int worldRank)
    {
        final String dir = System.getProperty(GuardedRank.JOB_DIR_PROPERTY);
        if (null == dir)
        {
            return null;
        }
        final long now = System.nanoTime();
        if (null == known && now - lastCheck > INTERVAL_NANOS)
        {
            lastCheck = now;
            known = scan(Path.of(dir));
        }
        return null == known ? null :
            new RankFailedException(known.failedRank(), op + " on rank " + worldRank + ": " + known.getMessage(), null);
    }

    private static RankFailedException scan(final Path dir)
    {
        // A failed mark names the cause; ranks that died, or were stopped because of it, come after.
        try (Stream<Path> files = Files.list(dir))
        {
            final java.util.List<Path> marks = files.sorted(java.util.Comparator.comparing(
                (Path file) -> !file.getFileName().toString().endsWith(".failed"))).collect(java.util.stream.Collectors.toList());
            for (final Path file : marks)
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".failed"))
                {
                    final int rank = Integer.parseInt(name.substring("rank-".length(), name.length() - ".failed".length()));
                    return new RankFailedException(rank, "rank " + rank + " failed: " + Files.readString(file), null);
                }
                if (name.endsWith(".pid"))
                {
                    final String rank = name.substring("rank-".length(), name.length() - ".pid".length());
                    if (RankProcess.isGone(file) &&
                        !Files.exists(dir.resolve("rank-" + rank + ".ok")) &&
                        !Files.exists(dir.resolve("rank-" + rank + ".stopped")))
                    {
                        return new RankFailedException(Integer.parseInt(rank), "rank " + rank + " ended without finishing",
                            null);
                    }
                }
            }
        }
        catch (final IOException | NumberFormatException ignored)
        {
            // Marks being written, or the folder gone with the job: nothing known yet.
        }
        return null;
    }
}
