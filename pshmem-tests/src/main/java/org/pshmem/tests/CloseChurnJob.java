package org.pshmem.tests;

import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.spi.Setting;

/**
 * Job program of issue 18's churn loop, for any transport: ROUNDS times, create a MIB MiB double array, fill it
 * from rank 0 in 8 MiB {@code set()} blocks, close it on every rank, and check that its memory is back before
 * the next round. Arguments: {@code MIB ROUNDS MODE}, where MODE is {@code plain} (read a few elements),
 * {@code view} (every rank sums a whole-array view and keeps it past {@code close()}) or {@code both} (plain
 * rounds, then view rounds). Rank 0 prints:
 * <pre>
 *   SHM_TOTAL bytes                      size of the segment directory's file system (pshmem.shmDir, PSHMEM_SHM_DIR
 *                                        or /dev/shm)
 *   ROUND mode i USED bytes              bytes in use there once every rank has closed round i's array
 *   KEPT_VIEW mode i min max             what the views kept past close() read, over the ranks: 0 zeros,
 *                                        1 IllegalStateException, 2 the array's data, 3 another exception
 *   PEAK_GROWTH bytes                    this JVM's peak resident memory over the loops, less its resident
 *                                        memory before them (ranks that are threads share the JVM)
 * </pre>
 */
public final class CloseChurnJob
{
    /** What a view kept past close() read. */
    public static final int ZEROS = 0;
    /** What a view kept past close() read. */
    public static final int THREW_ILLEGAL_STATE = 1;
    /** What a view kept past close() read. */
    public static final int DATA = 2;
    /** What a view kept past close() read. */
    public static final int OTHER = 3;
    private static final int COLUMNS = 1024;
    private static final int BLOCK_ROWS = 1024;

    private CloseChurnJob()
    {
    }

    /**
     * @param args the launcher's arguments, then {@code MIB ROUNDS MODE}.
     * @throws IOException when /proc or the segment directory cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final String[] appArgs = pshmem.args();
            final int mib = Integer.parseInt(appArgs[0]);
            final int rounds = Integer.parseInt(appArgs[1]);
            final String mode = appArgs[2];
            final boolean root = world.rank() == 0;
            final FileStore shm = Files.getFileStore(shmDir());
            if (root)
            {
                System.out.println("SHM_TOTAL " + shm.getTotalSpace());
                System.out.flush();
            }
            world.barrier();
            // One block for every round, so the heap does not grow with garbage while the peak is measured.
            final double[] block = root ? new double[BLOCK_ROWS * COLUMNS] : null;
            final long residentBefore = root ? resetPeakResident() : 0;
            for (final String each : mode.equals("both") ? List.of("plain", "view") : List.of(mode))
            {
                for (int round = 0; round < rounds; round++)
                {
                    final int kept = round(world, block, mib, round, each.equals("view"));
                    final long[] read = {world.allReduce(kept, ReduceOp.MIN), world.allReduce(kept, ReduceOp.MAX)};
                    if (root)
                    {
                        System.out.println("ROUND " + each + " " + round + " USED " +
                            (shm.getTotalSpace() - shm.getUsableSpace()));
                        if (each.equals("view"))
                        {
                            System.out.println("KEPT_VIEW " + each + " " + round + " " + read[0] + " " + read[1]);
                        }
                        System.out.flush();
                    }
                }
            }
            if (root)
            {
                System.out.println("PEAK_GROWTH " + (status("VmHWM:") - residentBefore));
            }
            world.barrier();
        }
    }

    /**
     * One round; collective.
     *
     * @param block rank 0's block of {@code set()}, null elsewhere.
     * @return what the kept view read after every rank closed the array, or -1 without a view.
     */
    private static int round(final Communicator world, final double[] block, final int mib, final int round,
        final boolean withView)
    {
        final int rows = mib * (1 << 20) / (COLUMNS * Double.BYTES);
        final double value = round + 1;
        if (null != block)
        {
            java.util.Arrays.fill(block, value);
        }
        DoubleBuffer view = null;
        try (SharedDoubleArray shm = SharedArray.ofDoubles(world, rows, COLUMNS))
        {
            for (int row = 0; row < rows; row += BLOCK_ROWS)
            {
                final int count = Math.min(BLOCK_ROWS, rows - row);
                shm.set(null == block || count == BLOCK_ROWS ? block : java.util.Arrays.copyOf(block, count * COLUMNS),
                    Region.at(row, 0).size(count, COLUMNS), 0);
            }
            if (withView)
            {
                view = shm.view();
                double sum = 0;
                for (int i = 0; i < view.limit(); i++)
                {
                    sum += view.get(i);
                }
                Expect.equal(value * rows * COLUMNS, sum, "sum of round " + round + "'s array through a view");
            }
            else
            {
                Expect.equal(value, shm.get(rows - 1, COLUMNS - 1), "last element of round " + round + "'s array");
            }
        }
        world.barrier();
        return null == view ? -1 : readAfterClose(view);
    }

    private static int readAfterClose(final DoubleBuffer view)
    {
        try
        {
            final double first = view.get(0);
            final double last = view.get(view.limit() - 1);
            return first == 0 && last == 0 ? ZEROS : DATA;
        }
        catch (final IllegalStateException ex)
        {
            return THREW_ILLEGAL_STATE;
        }
        catch (final RuntimeException ex)
        {
            return OTHER;
        }
    }

    private static Path shmDir()
    {
        return Path.of(Setting.SHM_DIR.value().orElseThrow());
    }

    /** Resets this process's peak resident memory (Linux 4.0 and later) and returns its resident memory. */
    private static long resetPeakResident() throws IOException
    {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        return status("VmRSS:");
    }

    /** A size line of /proc/self/status, in bytes. */
    private static long status(final String name) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith(name))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no " + name + " line in /proc/self/status");
    }
}
