package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Path;

import org.pshmem.api.RankFailedException;
import org.pshmem.spi.Setting;

/**
 * What ranks of this job left in the launcher's {@link JobFolder}: a rank
 * marked failed, or whose JVM is gone with no outcome, can no longer take part. Lets waits in node memory end
 * instead of waiting for it. Checked at most every 200 ms per process ({@code pshmem.failureCheckMs}); without a job folder nothing is known.
 */
final class JobStatus
{
    private static final long INTERVAL_NANOS = 1_000_000L * Setting.FAILURE_CHECK_MS.longValue();
    private static volatile long lastCheck;
    private static volatile RankFailedException known;
    private static volatile JobFolder folder;

    private JobStatus()
    {
    }

    static RankFailedException failure(final String op, final int worldRank)
    {
        final String dir = System.getProperty(JobFolder.PROPERTY);
        if (null == dir)
        {
            return null;
        }
        final long now = System.nanoTime();
        if (null == known && now - lastCheck > INTERVAL_NANOS)
        {
            lastCheck = now;
            known = scan(folder(dir));
        }
        return null == known ? null :
            new RankFailedException(known.failedRank(), op + " on rank " + worldRank + ": " + known.getMessage(), null);
    }

    /** One folder object per job folder, so the ranks' pids are read once. */
    private static JobFolder folder(final String dir)
    {
        JobFolder current = folder;
        if (null == current || !current.path().equals(Path.of(dir)))
        {
            current = new JobFolder(Path.of(dir));
            folder = current;
        }
        return current;
    }

    private static RankFailedException scan(final JobFolder folder)
    {
        try
        {
            return folder.lostRank().map(lost -> new RankFailedException(lost.rank(), lost.describe(), null))
                .orElse(null);
        }
        catch (final IOException ignored)
        {
            // The folder gone with the job: nothing known.
            return null;
        }
    }
}
