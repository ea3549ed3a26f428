import { createNodeRunner, NODE_BACKEND_NAME } from '@oxidizedvision/runtime/node';
import { createWebRunner, WEB_BACKEND_NAME } from '@oxidizedvision/runtime/web';
import { describeRunnerContract } from './runner-contract.js';

describeRunnerContract(NODE_BACKEND_NAME, createNodeRunner);
describeRunnerContract(WEB_BACKEND_NAME, createWebRunner);
