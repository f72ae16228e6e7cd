package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder a launcher ({@link MpjLauncher}) makes in the temporary folder for one job, and the removal of such
 * folders whose launcher was killed before it could remove its own. Its name says whose it is, so that a later
 * launcher can tell a stale one without reading anything that a kill could have left half written:
 *
 * <pre>
 *   java.io.tmpdir/
 *   +-- pshmem-mpj-job-PID-START-HOST-RANDOM/   the job of launcher PID, which started at START (ms since the
 *       |                                        epoch, from the process table; 0 if unknown) on HOST (its host
 *       |                                        name, with characters other than letters, digits and '.' as '_')
 *       +-- status/                              the job folder ({@link JobFolder}), named to every rank
 *       +-- machines                             with --machines: MPJ Express's machines file
 *       +-- ...                                  the working folder of the ranks and of MPJ's starter
 * </pre>
 *
 * A folder is stale when it belongs to this user and this host, no running process (zombies do not count) has PID
 * with that start time (the launcher is gone, and the pid was not merely reused), and no rank of its job folder
 * runs on this host (ranks of a killed launcher stop by themselves once they notice). Folders named otherwise are
 * never touched.
 */
final class LaunchFolder
{
    /** The start of every launch folder's name. */
    static final String PREFIX = "pshmem-mpj-job-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{1,19})-(\\d{1,19})-(.+)-\\d+");

    private final Path path;

    private LaunchFolder(final Path path)
    {
        this.path = path;
    }

    /**
     * Makes the folder of a job of this launcher, with its job folder inside.
     *
     * @param tmp the temporary folder ({@code java.io.tmpdir}).
     * @return the new folder.
     * @throws IOException when it cannot be made.
     */
    static LaunchFolder create(final Path tmp) throws IOException
    {
        final ProcessHandle self = ProcessHandle.current();
        final String prefix = PREFIX + self.pid() + "-" + startMillis(self).orElse(0L) + "-" + hostToken() + "-";
        final Path path = Files.createTempDirectory(tmp, prefix);
        Files.createDirectory(path.resolve("status"));
        return new LaunchFolder(path);
    }

    /** @return the folder. */
    Path path()
    {
        return path;
    }

    /** @return the job folder inside it. */
    JobFolder jobFolder()
    {
        return new JobFolder(path.resolve("status"));
    }

    /** @return where MPJ Express's machines file goes. */
    Path machinesFile()
    {
        return path.resolve("machines");
    }

    /** Removes the folder and everything in it, quietly: a folder left behind is removed by a later launcher. */
    void delete()
    {
        deleteTree(path);
    }

    /**
     * Removes the stale launch folders in {@code tmp} (see the class comment).
     *
     * @param tmp the temporary folder.
     * @return the folders removed.
     */
    static List<Path> removeStale(final Path tmp)
    {
        final List<Path> removed = new ArrayList<>();
        final String user = System.getProperty("user.name");
        try (Stream<Path> entries = Files.list(tmp))
        {
            for (final Path dir : entries.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList())
            {
                if (isStale(dir, user))
                {
                    deleteTree(dir);
                    removed.add(dir);
                }
            }
        }
        catch (final IOException ignored)
        {
            // No temporary folder to look in: nothing to remove.
        }
        return removed;
    }

    private static boolean isStale(final Path dir, final String user)
    {
        final Matcher name = NAME.matcher(dir.getFileName().toString());
        try
        {
            if (!name.matches() || !name.group(3).equals(hostToken()) || !Files.isDirectory(dir) ||
                !Files.getOwner(dir).getName().equals(user))
            {
                return false;
            }
            final long pid = Long.parseLong(name.group(1));
            final long start = Long.parseLong(name.group(2));
            final boolean launcherAlive = ProcessHandle.of(pid).filter(RankProcess::isRunning)
                .map(handle -> start == 0 || startMillis(handle).map(millis -> millis == start).orElse(true))
                .orElse(false);
            final Path status = dir.resolve("status");
            return !launcherAlive && (!Files.isDirectory(status) || !new JobFolder(status).anyRankRunningHere());
        }
        catch (final IOException | NumberFormatException | UnsupportedOperationException | SecurityException ex)
        {
            return false;
        }
    }

    private static Optional<Long> startMillis(final ProcessHandle process)
    {
        return process.info().startInstant().map(Instant::toEpochMilli);
    }

    /** @return this host's name as launch folders carry it. */
    static String hostToken()
    {
        return RankProcess.host().replaceAll("[^A-Za-z0-9.]", "_");
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // Removed meanwhile, or not ours to remove.
        }
    }
}
