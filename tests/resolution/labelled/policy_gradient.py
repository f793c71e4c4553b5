"""REINFORCE and a small actor-critic on a classic-control task.

Episode returns are collected in plain lists, then turned into tensors: the same names
hold a list first and a tensor later.
"""

from collections import namedtuple

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

SavedAction = namedtuple("SavedAction", ["log_prob", "value"])
env = gym.make("CartPole-v1")
env.reset(seed=543)
torch.manual_seed(543)
eps = np.finfo(np.float32).eps.item()  # none none


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.affine1 = nn.Linear(4, 128)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(128, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)  # none
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)  # none


policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)  # none note


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)  # none note note
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()  # note


def finish_episode(gamma=0.99):
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)  # note note
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()  # note
    policy_loss = torch.cat(policy_loss).sum()  # none note
    policy_loss.backward()  # note
    optimizer.step()  # note
    del policy.rewards[:]
    del policy.saved_log_probs[:]


class ActorCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.affine1 = nn.Linear(4, 128)
        self.action_head = nn.Linear(128, 2)
        self.value_head = nn.Linear(128, 1)
        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        x = F.relu(self.affine1(x))  # none none
        action_prob = F.softmax(self.action_head(x), dim=-1)  # none none
        state_values = self.value_head(x)
        return action_prob, state_values


model = ActorCritic()
critic_optimizer = optim.Adam(model.parameters(), lr=3e-2)  # none note


def select_critic_action(state):
    state = torch.from_numpy(state).float()  # none note
    probs, state_value = model(state)
    m = Categorical(probs)
    action = m.sample()
    model.saved_actions.append(SavedAction(m.log_prob(action), state_value))
    return action.item()  # note


def finish_critic_episode(gamma=0.99):
    R = 0
    saved_actions = model.saved_actions
    policy_losses = []
    value_losses = []
    returns = []
    for r in model.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)  # note note
    for (log_prob, value), R in zip(saved_actions, returns):
        advantage = R - value.item()  # note
        policy_losses.append(-log_prob * advantage)
        value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))
    critic_optimizer.zero_grad()  # note
    loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()  # none note none note
    loss.backward()  # note
    critic_optimizer.step()  # note
    del model.rewards[:]


def run(episodes=10):
    running_reward = 10.0
    for i_episode in range(episodes):
        state, _ = env.reset()
        ep_reward = 0
        for t in range(1, 10000):
            action = select_action(state)
            state, reward, done, _, _ = env.step(action)  # none
            policy.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        finish_episode()
        scores = np.array(policy.rewards)
        print(scores.mean(), scores.std(), scores.max())  # none none none
        if running_reward > env.spec.reward_threshold:
            print(f"Solved! Running reward is now {running_reward:.1f}")
            break


def discounted(rewards, gamma):
    out = np.zeros(len(rewards))
    acc = 0.0
    for i in reversed(range(len(rewards))):
        acc = rewards[i] + gamma * acc
        out[i] = acc
    out = (out - out.mean()) / (out.std() + 1e-8)  # none none
    return out.reshape(-1, 1).astype(np.float32)  # none none


def normalised_returns(rewards):
    values = torch.as_tensor(discounted(rewards, 0.99))
    return values.squeeze(1).clamp(-5, 5)  # note note
