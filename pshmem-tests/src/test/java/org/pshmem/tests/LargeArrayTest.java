package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedByteArray;
import org.pshmem.local.LocalJob;

/**
 * Upstream's large scenario: a uint8 array of 2^31 - 1 + 10 elements, set from rank 0 in several set()
 * calls (a Java array holds at most 2^31 - 1 elements), then every rank counts the non-zero elements.
 * Needs about 5 GiB of memory (a copy of 2 GiB on each of the 2 simulated nodes, and the writer's 1 GiB
 * block), so it runs only with {@code PSHMEM_TEST_LARGE=1}.
 */
@EnabledIfEnvironmentVariable(named = "PSHMEM_TEST_LARGE", matches = "1|true|yes")
class LargeArrayTest
{
    @Test
    void moreThanTwoToTheThirtyOneElements() throws Exception
    {
        final long size = Integer.MAX_VALUE + 10L;
        final int chunk = 1 << 30;
        final AtomicLong counted = new AtomicLong();
        LocalJob.run(2, 2, world ->
        {
            try (SharedByteArray shm = SharedArray.ofBytes(world, size))
            {
                final byte[] block = world.rank() == 0 ? new byte[chunk] : null;
                if (null != block)
                {
                    java.util.Arrays.fill(block, (byte)200);
                }
                for (long offset = 0; offset < size; offset += chunk)
                {
                    final int length = (int)Math.min(chunk, size - offset);
                    final byte[] data = null == block || length == chunk ? block : java.util.Arrays.copyOf(block, length);
                    shm.set(data, Region.at(offset).size(length), 0);
                }
                long nonZero = 0;
                for (long i = 0; i < size; i++)
                {
                    if (shm.getFlat(i) != 0)
                    {
                        nonZero++;
                    }
                }
                assertEquals(size, nonZero, "non-zero elements seen by rank " + world.rank());
                assertEquals(200, shm.getUnsigned(size - 1), "the last element read as uint8");
                counted.set(world.allReduce(nonZero, ReduceOp.MIN));
            }
        });
        assertEquals(size, counted.get());
    }
}
