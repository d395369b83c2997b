package dev.hopgate.pdp.state;

class InMemoryStateStoreContractTest extends StateStoreContract {
  @Override
  protected StateStore store() {
    return new InMemoryStateStore(1000);
  }
}
