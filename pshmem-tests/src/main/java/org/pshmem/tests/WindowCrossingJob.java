package org.pshmem.tests;

import java.nio.DoubleBuffer;
import java.util.Arrays;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedByteArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.spi.Windows;

/**
 * Reads and writes across the windows node memory is seen through, for a job of 4 ranks on 2 nodes run with
 * the test-only setting {@value Windows#SHIFT_PROPERTY} = 12 (4 KiB windows: 512 doubles, 4096 bytes). Every
 * element is checked after each write against a copy kept in a Java array; the first mismatch throws. Each rank
 * ends by printing {@code rank R: windows of 512 doubles crossed}.
 */
public final class WindowCrossingJob
{
    private WindowCrossingJob()
    {
    }

    /**
     * @param args the program's arguments, for {@link Pshmem#init(String[])}.
     */
    public static void main(final String[] args)
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            doubles(world);
            bytes(world);
            System.out.println("rank " + world.rank() + ": windows of " + (1 << Windows.SHIFT) / Double.BYTES +
                " doubles crossed");
        }
    }

    private static void doubles(final Communicator world)
    {
        final int rows = 7;
        final int columns = 301; // 2107 elements: 5 windows, with boundaries inside rows
        try (SharedDoubleArray shm = SharedArray.ofDoubles(world, rows, columns))
        {
            final double[] expected = new double[rows * columns];
            Arrays.setAll(expected, i -> i + 0.25);
            shm.set(world.rank() == 0 ? expected.clone() : null, 0);
            check(shm, expected, "whole array from rank 0");

            // A block of 4 rows by 40 columns: its rows start in one window and end in the next.
            final double[] block = new double[4 * 40];
            Arrays.setAll(block, k -> -(k + 1));
            for (int k = 0; k < block.length; k++)
            {
                expected[(1 + k / 40) * columns + 250 + k % 40] = block[k];
            }
            shm.set(world.rank() == 1 ? block : null, world.rank() == 1 ? Region.at(1, 250).size(4, 40) : null, 1);
            check(shm, expected, "block from rank 1");

            final double[] corner = new double[5 * 290];
            shm.copyTo(Region.at(1, 3).size(5, 290), corner);
            for (int k = 0; k < corner.length; k++)
            {
                require(corner[k] == expected[(1 + k / 290) * columns + 3 + k % 290],
                    "copyTo of a block, element " + k);
            }
            // Reductions over blocks whose runs cross window boundaries.
            for (final Region region : new Region[] {Region.at(0, 0).size(rows, columns), Region.at(1, 3).size(5, 290),
                Region.at(1, 250).size(4, 40), Region.at(1, 200).size(1, 101)})
            {
                double sum = 0;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                final long[] at = region.offset();
                final long[] size = region.shape();
                for (long r = at[0]; r < at[0] + size[0]; r++)
                {
                    for (long c = at[1]; c < at[1] + size[1]; c++)
                    {
                        final double x = expected[(int)(r * columns + c)];
                        sum += x;
                        min = Math.min(min, x);
                        max = Math.max(max, x);
                    }
                }
                require(shm.sum(region) == sum && shm.min(region) == min && shm.max(region) == max,
                    "sum, min and max of " + region + ": " + shm.sum(region) + ", " + shm.min(region) + ", " +
                    shm.max(region) + " instead of " + sum + ", " + min + ", " + max);
            }
            final DoubleBuffer inside = shm.flatView(512, 512); // exactly window 1
            require(inside.get(0) == expected[512] && inside.get(511) == expected[1023], "a view of one window");
            try
            {
                shm.flatView(500, 24);
                throw new IllegalStateException("a view across a window boundary was not refused");
            }
            catch (final IllegalArgumentException ex)
            {
                require(ex.getMessage().contains("(every 512 elements)"), "the refusal names the window: " + ex);
            }
        }
    }

    private static void bytes(final Communicator world)
    {
        final int size = 10_000; // 3 windows of 4096 bytes
        try (SharedByteArray shm = SharedArray.ofBytes(world, size))
        {
            final byte[] expected = new byte[size];
            for (int i = 0; i < size; i++)
            {
                expected[i] = (byte)(i * 7 + 1);
            }
            // From rank 2, node-rank 0 of the second node.
            shm.set(world.rank() == 2 ? expected.clone() : null, 2);
            for (int i = 0; i < size; i++)
            {
                require(shm.getFlat(i) == expected[i], "byte " + i);
            }
            final byte[] across = new byte[300];
            shm.copyTo(Region.at(4000).size(300), across);
            require(Arrays.equals(across, Arrays.copyOfRange(expected, 4000, 4300)), "bytes 4000 to 4299");
            long sum = 0;
            byte min = Byte.MAX_VALUE;
            byte max = Byte.MIN_VALUE;
            for (final byte b : expected)
            {
                sum += b;
                min = (byte)Math.min(min, b);
                max = (byte)Math.max(max, b);
            }
            final Region all = Region.at(0).size(size);
            require(shm.sum(all) == sum && shm.min(all) == min && shm.max(all) == max,
                "sum, min and max of the bytes across 3 windows");
        }
    }

    private static void check(final SharedDoubleArray shm, final double[] expected, final String after)
    {
        final int columns = (int)shm.shape()[1];
        for (int i = 0; i < expected.length; i++)
        {
            require(shm.getFlat(i) == expected[i], after + ": getFlat(" + i + ")");
            require(shm.get(i / columns, i % columns) == expected[i], after + ": get at flat " + i);
        }
        final double[] all = new double[expected.length];
        shm.copyTo(Region.at(0, 0).size(shm.shape()), all);
        require(Arrays.equals(all, expected), after + ": copyTo of the whole array");
    }

    private static void require(final boolean holds, final String what)
    {
        if (!holds)
        {
            throw new IllegalStateException("wrong after crossing windows: " + what);
        }
    }
}
