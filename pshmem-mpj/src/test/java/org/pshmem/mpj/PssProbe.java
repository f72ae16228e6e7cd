package org.pshmem.mpj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.bench.BenchJob;
import org.pshmem.bench.ReadLoops;
import org.pshmem.shm.ShmSegment;

/**
 * Job program: how many copies of a shared array a node holds. Sums every rank's proportional set size
 * before and after a {@code rows x 8192} double array is created, filled from rank 0 and read in full by
 * every rank; rank 0 prints {@code COPIES <growth / array bytes> SEGMENT <Pss of the segment mappings /
 * array bytes>}: the first includes the JVMs' own growth, the second counts the shared memory alone.
 */
public final class PssProbe
{
    private static final int COLUMNS = 8192;

    private PssProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final int rows = Integer.parseInt(pshmem.args()[0]);
            final int blockRows = 256;
            final double[] block = world.rank() == 0 ? new double[blockRows * COLUMNS] : null;
            if (null != block)
            {
                java.util.Arrays.fill(block, -1.0); // touch the writer's buffer before measuring
            }
            try (SharedDoubleArray warmUp = SharedArray.ofDoubles(world, 4, COLUMNS))
            {
                ReadLoops.sum(warmUp.view());
            }
            System.gc();
            world.barrier();
            final long before = world.allReduce(BenchJob.pss(), ReduceOp.SUM);
            try (SharedDoubleArray shm = SharedArray.ofDoubles(world, rows, COLUMNS))
            {
                for (int row = 0; row < rows; row += blockRows)
                {
                    if (null != block)
                    {
                        java.util.Arrays.fill(block, row + 1.0);
                    }
                    shm.set(block, Region.at(row, 0).size(blockRows, COLUMNS), 0);
                }
                final double sum = ReadLoops.sum(shm.view());
                double expected = 0;
                for (int row = 0; row < rows; row += blockRows)
                {
                    expected += (row + 1.0) * blockRows * COLUMNS;
                }
                if (sum != expected)
                {
                    throw new AssertionError("rank " + world.rank() + " read a sum of " + sum + ", not " + expected);
                }
                System.gc();
                world.barrier();
                final long after = world.allReduce(BenchJob.pss(), ReduceOp.SUM);
                final long segments = world.allReduce(segmentPssBytes(), ReduceOp.SUM);
                if (world.rank() == 0)
                {
                    System.out.printf("COPIES %.3f SEGMENT %.3f%n", (after - before) / (8.0 * rows * COLUMNS),
                        segments / (8.0 * rows * COLUMNS));
                }
                world.barrier();
            }
        }
    }

    /** Proportional set size of this process's mappings of pshmem segment files. */
    static long segmentPssBytes() throws IOException
    {
        long total = 0;
        boolean inSegment = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*"))
            {
                inSegment = ShmSegment.isSegmentMapping(line);
            }
            else if (inSegment && line.startsWith("Pss:"))
            {
                total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return total;
    }
}
