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

import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmSegment;

/**
 * {@code ShmTool list|clean [DIR]}: shows this library's segment files in the segment directory (default
 * {@code /dev/shm}) with their node, creating process, size, age and whether that process is alive; {@code clean}
 * removes only those whose creating process is gone, never a live one. {@code list} first says how this machine
 * names segments ({@link SegmentNaming}): unnamed, where a segment's name is removed as it is created and nothing
 * is left to list even after a kill, or named (the fallback, with the reason), where a name exists until every
 * rank of the node has mapped the file, so a job killed inside that window leaves one behind. {@code list} then
 * shows the segments of the directory that live processes map (unnamed ones included, which no listing of the
 * directory shows): each with its size and the processes that map it, as {@code /proc/<pid>/maps} says.
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
        else
        {
            if (files.isEmpty())
            {
                out.println("no pshmem segment files in " + dir);
            }
            inUseLines(dir).forEach(out::println);
        }
        return 0;
    }

    /** A segment of the directory that live processes map: its device and inode, size and those processes. */
    record MappedSegment(String deviceAndInode, long bytes, java.util.SortedSet<Long> pids)
    {
    }

    /** @return lines on the segments of {@code dir} that live processes map, or one line saying there are none. */
    static List<String> inUseLines(final Path dir)
    {
        final java.util.Collection<MappedSegment> mapped = mappedSegments(dir);
        final List<String> lines = new ArrayList<>();
        if (mapped.isEmpty())
        {
            lines.add("no segment of " + dir + " is mapped by a process this user can see");
            return lines;
        }
        long bytes = 0;
        for (final MappedSegment segment : mapped)
        {
            bytes += segment.bytes();
        }
        lines.add("in use: " + mapped.size() + " segment" + (mapped.size() == 1 ? "" : "s") + " of " + dir + ", " +
            bytes + " bytes (the node memory of live jobs, unnamed segments and arena chunks included):");
        for (final MappedSegment segment : mapped)
        {
            lines.add("  inode " + segment.deviceAndInode() + "  " + segment.bytes() + " bytes  mapped by pid" +
                (segment.pids().size() == 1 ? " " : "s ") +
                String.join(", ", segment.pids().stream().map(String::valueOf).toList()));
        }
        return lines;
    }

    /** @return the segments of {@code dir} that processes map, from every readable {@code /proc/<pid>/maps}. */
    static java.util.Collection<MappedSegment> mappedSegments(final Path dir)
    {
        final String prefix = dir.toAbsolutePath().normalize() + "/";
        final java.util.Map<String, MappedSegment> byInode = new java.util.TreeMap<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc")))
        {
            processes.filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit))
                .forEach(process -> readMaps(process, prefix, byInode));
        }
        catch (final IOException ex)
        {
            return List.of();
        }
        return byInode.values();
    }

    private static void readMaps(final Path process, final String prefix,
        final java.util.Map<String, MappedSegment> byInode)
    {
        final long pid = Long.parseLong(process.getFileName().toString());
        final java.util.Map<String, Long> bytesHere = new java.util.HashMap<>();
        try
        {
            for (final String line : Files.readAllLines(process.resolve("maps")))
            {
                final String[] fields = line.split("\\s+", 6);
                if (fields.length == 6 && fields[5].startsWith(prefix) && ShmSegment.isSegmentMapping(fields[5]))
                {
                    final String[] range = fields[0].split("-");
                    bytesHere.merge(fields[3] + ":" + fields[4],
                        Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16), Long::sum);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return; // gone meanwhile, or another user's
        }
        bytesHere.forEach((key, bytes) ->
        {
            final MappedSegment known = byInode.computeIfAbsent(key,
                k -> new MappedSegment(k, 0, new java.util.TreeSet<>()));
            known.pids().add(pid);
            byInode.put(key, new MappedSegment(key, Math.max(known.bytes(), bytes), known.pids()));
        });
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
