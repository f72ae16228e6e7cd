package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A rank's process as recorded in the job folder ({@code rank-N.pid}: {@code "<pid> <host>"}). Only a rank on
 * the reader's own host can be looked at or ended by pid: on another host the same number names another
 * process, so a remote rank is never reported gone and never killed from here.
 */
final class RankProcess
{
    private static final String HOST = readHost();

    private RankProcess()
    {
    }

    /**
     * @return what a rank writes in its pid mark.
     */
    static String markOfThisProcess()
    {
        return ProcessHandle.current().pid() + " " + HOST;
    }

    /** @return this host's name, as pid marks carry it. */
    static String host()
    {
        return HOST;
    }

    /**
     * @param pidMark a {@code rank-N.pid} file.
     * @return the rank's process when it runs, or ran, on this host; empty for another host's rank, or while the
     * mark is being written.
     */
    static Optional<Long> localPid(final Path pidMark)
    {
        try
        {
            final String[] words = Files.readString(pidMark).trim().split("\\s+");
            if (words.length >= 1 && (words.length == 1 || words[1].equals(HOST)))
            {
                return Optional.of(Long.parseLong(words[0]));
            }
        }
        catch (final IOException | NumberFormatException ignored)
        {
            // Being written, or gone with the job.
        }
        return Optional.empty();
    }

    /**
     * @return true when the mark names a process of this host that is no longer alive.
     */
    static boolean isGone(final Path pidMark)
    {
        return localPid(pidMark).map(pid -> ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true))
            .orElse(false);
    }

    /** @return true when the mark names a running process of this host. */
    static boolean isRunningHere(final Path pidMark)
    {
        return localPid(pidMark).flatMap(ProcessHandle::of).map(RankProcess::isRunning).orElse(false);
    }

    /**
     * @return whether {@code process} is alive and not a zombie: a killed orphan stays one until an init, which
     * may be slow to reap (over a second in some containers), collects it; it holds nothing any more.
     */
    static boolean isRunning(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return false;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            final int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        }
        catch (final IOException ex)
        {
            return process.isAlive();
        }
    }

    private static String readHost()
    {
        try
        {
            final String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            return name.isEmpty() ? "localhost" : name;
        }
        catch (final IOException ex)
        {
            return "localhost";
        }
    }
}
