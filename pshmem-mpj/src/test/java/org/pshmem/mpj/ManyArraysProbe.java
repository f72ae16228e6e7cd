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

/**
 * Job program for {@link DescriptorLimitTest}: every rank keeps {@code N} (the first argument) arrays of 4 longs
 * live at once, array {@code i} written by rank {@code i % size} with {@code i, i+1, i+2, i+3}; once all exist every
 * rank checks every element, prints {@code RANK <rank> LIVE <N> FDS <open descriptors> LIMIT <soft limit of open
 * files>}, closes them all and prints {@code RANK <rank> CLOSED}.
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
                    " LIMIT " + openFilesLimit());
            }
            finally
            {
                arrays.forEach(SharedLongArray::close);
            }
            world.barrier();
            System.out.println("RANK " + world.rank() + " CLOSED");
        }
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
