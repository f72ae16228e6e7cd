package org.pshmem.mpj;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ShmTool list|clean [DIR]}: shows this library's segment files in the segment directory (default
 * {@code /dev/shm}) with their node, creating process, size, age and whether that process is alive; {@code clean}
 * removes only those whose creating process is gone, never a live one. {@code list} first says how this machine
 * names segments ({@link SegmentNaming}): unnamed, where a segment's name is removed as it is created and nothing
 * is left to list even after a kill, or named (the fallback, with the reason), where a name exists until every
 * rank of the node has mapped the file, so a job killed inside that window leaves one behind.
 */
public final class ShmTool
{
    private ShmTool()
    {
    }

    /**
     * Lists this library's segment files, or removes those whose creating process is gone.
     *
     * @param args {@code list} or {@code clean}, then optionally the directory.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        if (args.length < 1 || args.length > 2 || !List.of("list", "clean").contains(args[0]))
        {
            err.println("usage: ShmTool list|clean [DIR]   (DIR defaults to " + MpjSession.DEFAULT_SHM_DIR + ")");
            return 2;
        }
        final Path dir = Path.of(args.length > 1 ? args[1] : MpjSession.DEFAULT_SHM_DIR);
        final List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir))
        {
            listing.filter(path -> ShmSegment.creatorPid(path.getFileName().toString()).isPresent()).sorted()
                .forEach(files::add);
        }
        catch (final IOException ex)
        {
            err.println("pshmem shm: cannot read " + dir + ": " + ex.getMessage());
            return 1;
        }
        if (args[0].equals("list"))
        {
            out.println(namingLine(SegmentNaming.probe()));
        }
        int removed = 0;
        for (final Path file : files)
        {
            final String name = file.getFileName().toString();
            final String pid = ShmSegment.creatorPid(name).orElseThrow();
            final boolean alive = ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
            final String node = name.substring(ShmSegment.PREFIX.length(), name.length() - pid.length() - 18);
            if (args[0].equals("list"))
            {
                out.printf("%s  node %s  pid %s  %d bytes  age %s  %s%n", name, node, pid, size(file), age(file),
                    alive ? "alive" : "gone");
            }
            else if (!alive && file.toFile().delete())
            {
                out.println("removed " + file + " (pid " + pid + " is gone)");
                removed++;
            }
        }
        if (args[0].equals("clean"))
        {
            out.println(removed + " stale segment file" + (removed == 1 ? "" : "s") + " removed from " + dir);
        }
        else if (files.isEmpty())
        {
            out.println("no pshmem segment files in " + dir);
        }
        return 0;
    }

    static String namingLine(final SegmentNaming.Decision decision)
    {
        return decision.naming() == SegmentNaming.UNNAMED ?
            "segment naming: unnamed (a segment's name is removed right after the file is created; the node's " +
                "other ranks map it through /proc/<pid>/fd of its creator)" :
            "segment naming: named, because " + decision.reason() + " (a name exists until every rank of the " +
                "node has mapped the file; a job killed meanwhile leaves it, for shm clean)";
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String age(final Path file)
    {
        try
        {
            final FileTime modified = Files.getLastModifiedTime(file);
            final Duration age = Duration.between(modified.toInstant(), Instant.now());
            return age.toSeconds() + " s";
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
