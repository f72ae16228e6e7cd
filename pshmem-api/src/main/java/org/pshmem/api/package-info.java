/**
 * The public API of pshmem for Java: parallel design patterns on shared node memory and message passing, for
 * jobs of many ranks over one or more nodes.
 *
 * <p>A program calls {@link org.pshmem.api.Pshmem#init(String[])} and works with its
 * {@link org.pshmem.api.Communicator} (MPI's communicator: rank, size, split, barrier and the collectives).
 * Over it:
 * <ul>
 * <li>{@link org.pshmem.api.SharedArray} and its typed subclasses: one copy of an array per node, written
 * collectively by {@code set} and {@code assign} and read locally, in regions ({@link org.pshmem.api.Region});</li>
 * <li>{@link org.pshmem.api.DistributedLock} with its {@link org.pshmem.api.DistributedCondition}s, and
 * {@link org.pshmem.api.DistributedSemaphore}: {@code java.util.concurrent} semantics across ranks;</li>
 * <li>{@link org.pshmem.api.SharedCounter}, {@link org.pshmem.api.TaskBatch} and
 * {@link org.pshmem.api.Sequential}: numbers, tasks and turns handed out across ranks.</li>
 * </ul>
 *
 * <p>Which calls are collective: creating any of these objects is collective over its communicator. Closing
 * a {@code SharedArray} is local; closing a lock, condition, semaphore, counter or task batch is collective,
 * so close them on every rank, on every path (try-with-resources does it). Bad input to a collective call
 * throws the same exception on every rank that took part, naming the rank that had it; a rank that fails
 * or dies makes the others' waits throw {@link org.pshmem.api.RankFailedException}.
 */
package org.pshmem.api;
