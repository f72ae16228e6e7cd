package org.pshmem.tests.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.pshmem.api.Communicator;
import org.pshmem.api.SharedLongArray;

/**
 * What the host probe of a multi-host test does on every rank, whatever the transport: data written on one host
 * read back on all, where the rank's node lies, which segments it maps, and one line per rank in rank order.
 */
public final class ProbeRank
{
    /** Longs each writer writes: the whole of a 4 by 8 array. */
    private static final int WRITTEN = 32;

    /**
     * The rank's node among the job's nodes.
     *
     * @param index the node's index, by the lowest world rank on it.
     * @param count how many nodes the job has.
     */
    public record NodePlace(long index, long count)
    {
    }

    private ProbeRank()
    {
    }

    /**
     * Collective: rank 0 (host A), then the last rank (the last host), writes the whole array, and every rank
     * reads it back.
     *
     * @param world the world.
     * @param array a 4 by 8 array over the world.
     * @return whether this rank read back both writes.
     */
    public static boolean readsBackWritesOfFirstAndLast(final Communicator world, final SharedLongArray array)
    {
        boolean readBack = true;
        for (final int writer : new int[] {0, world.size() - 1})
        {
            final long base = 1000L * (writer + 1);
            final long[] data = new long[WRITTEN];
            for (int i = 0; i < data.length; i++)
            {
                data[i] = base + i;
            }
            array.set(world.rank() == writer ? data : null, writer);
            world.barrier();
            for (int i = 0; i < data.length; i++)
            {
                readBack &= array.get(i / 8, i % 8) == base + i;
            }
            world.barrier();
        }
        return readBack;
    }

    /**
     * Collective over the world.
     *
     * @param world the world.
     * @param node  the ranks of this rank's node ({@link Communicator#splitByNode()}).
     * @return this rank's node among the job's.
     */
    public static NodePlace nodePlace(final Communicator world, final Communicator node)
    {
        final long leader = node.broadcast((long)world.rank(), 0);
        final long[] leaders = world.allGather(node.rank() == 0 ? (long)world.rank() : -1L);
        return new NodePlace(Arrays.stream(leaders).filter(l -> l >= 0 && l < leader).count(),
            Arrays.stream(leaders).filter(l -> l >= 0).count());
    }

    /**
     * Lists the segment files this process maps.
     *
     * @param isSegmentMapping whether a path of {@code /proc/self/maps} is a pshmem segment's.
     * @return the segment files this process maps, as {@code device:inode}, or {@code none}.
     * @throws IOException when {@code /proc/self/maps} cannot be read.
     */
    public static String mappedSegments(final Predicate<String> isSegmentMapping) throws IOException
    {
        final Set<String> files = new TreeSet<>();
        for (final String entry : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            final String[] fields = entry.trim().split("\\s+", 6);
            if (fields.length == 6 && isSegmentMapping.test(fields[5]))
            {
                files.add(fields[3] + ":" + fields[4]);
            }
        }
        return files.isEmpty() ? "none" : String.join(",", files);
    }

    /**
     * Collective: every rank prints its line, in rank order (lines of ranks on other hosts may still reach the
     * launcher's output in another order).
     *
     * @param world the world.
     * @param line  this rank's line.
     */
    public static void printInRankOrder(final Communicator world, final String line)
    {
        for (int p = 0; p < world.size(); p++)
        {
            if (p == world.rank())
            {
                System.out.println(line);
                System.out.flush();
            }
            world.barrier();
        }
    }
}
