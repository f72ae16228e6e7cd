package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedLongArray;
import org.pshmem.shm.ShmSegment;

/**
 * Job program for {@link DescriptorLimitTest}: every rank keeps {@code N} (the first argument) arrays of 4 longs
 * live at once, array {@code i} written by rank {@code i % size} with {@code i, i+1, i+2, i+3}; once all exist every
 * rank checks every element, prints {@code RANK <rank> LIVE <N> FDS <open descriptors> LIMIT <soft limit of open
 * files> MAPPED <bytes of node memory mapped>}, closes them all and prints {@code RANK <rank> CLOSED}. Then, on a new
 * communicator, it creates and closes one small array {@code C} (the second argument) times and prints
 * {@code RANK <rank> CHURN <C> GREW <bytes>}: how much the node memory this rank maps grew over the cycles.
 */
public final class ManyArraysProbe
{
    private ManyArraysProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final int count = Integer.parseInt(pshmem.args()[0]);
            final int cycles = Integer.parseInt(pshmem.args()[1]);
            final List<SharedLongArray> arrays = new ArrayList<>(count);
            try
            {
                for (int i = 0; i < count; i++)
                {
                    final SharedLongArray array = SharedArray.ofLongs(world, 4);
                    arrays.add(array);
                    final int writer = i % world.size();
                    array.set(world.rank() == writer ? new long[] {i, i + 1, i + 2, i + 3} : null,
                        Region.at(0).size(4), writer);
                }
                world.barrier();
                for (int i = 0; i < count; i++)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        if (arrays.get(i).get(k) != i + k)
                        {
                            throw new IllegalStateException("array " + i + " element " + k + " is " +
                                arrays.get(i).get(k) + ", not " + (i + k));
                        }
                    }
                }
                System.out.println("RANK " + world.rank() + " LIVE " + count + " FDS " + openDescriptors() +
                    " LIMIT " + openFilesLimit() + " MAPPED " + mappedNodeMemory());
            }
            finally
            {
                arrays.forEach(SharedLongArray::close);
            }
            world.barrier();
            System.out.println("RANK " + world.rank() + " CLOSED");
            try (Communicator churn = world.split(0, world.rank()))
            {
                SharedArray.ofLongs(churn, 4).close(); // the communicator's own node memory, made once
                final long before = mappedNodeMemory();
                for (int i = 0; i < cycles; i++)
                {
                    try (SharedLongArray array = SharedArray.ofLongs(churn, 4 + i % 64))
                    {
                        if (array.get(0) != 0)
                        {
                            throw new IllegalStateException("cycle " + i + ": a new array is not zero-filled");
                        }
                        array.set(churn.rank() == 0 ? new long[] {i + 1} : null, Region.at(0).size(1), 0);
                    }
                }
                System.out.println("RANK " + world.rank() + " CHURN " + cycles + " GREW " +
                    (mappedNodeMemory() - before));
            }
        }
    }

    /** Bytes of node memory segments this process maps, from {@code /proc/self/maps}. */
    private static long mappedNodeMemory() throws IOException
    {
        long bytes = 0;
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            final String[] fields = line.split("\\s+", 6);
            if (fields.length == 6 && ShmSegment.isSegmentMapping(fields[5]))
            {
                final String[] range = fields[0].split("-");
                bytes += Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            }
        }
        return bytes;
    }

    private static long openDescriptors() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    /** The soft limit of open files, from {@code /proc/self/limits}. */
    private static String openFilesLimit() throws IOException
    {
        return Files.readAllLines(Path.of("/proc/self/limits")).stream()
            .filter(line -> line.startsWith("Max open files")).map(line -> line.substring(26).trim().split("\\s+")[0])
            .findFirst().orElse("unknown");
    }
}
